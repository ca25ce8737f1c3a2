import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Role, type Token, TokenSchema } from "@switchyard/api";
import { auditJson } from "../audit/redact.js";
import type { Db, Queryable } from "./db.js";
import { findById } from "./find-by-id.js";
import { newId } from "./ids.js";
import { decodePageToken, type Page, type PageRequest, pageSize, toPage } from "./page.js";
import { loadProject } from "./projects.js";
import type { WriteContext, Writer } from "./write.js";

/**
 * API tokens. Only the SHA-256 of a secret is stored. Token writes are
 * audited but are not config: they do not bump the revision (workers never
 * see tokens), so their audit events carry revision 0.
 */
export interface TokenStore {
  /** Every project in `project_ids` must exist. Assigns id and create_time. */
  create(ctx: WriteContext, token: Token, secretHash: string): Promise<Token>;
  get(id: string): Promise<Token>;
  /** By name, then id. */
  list(request: PageRequest): Promise<Page<Token>>;
  delete(ctx: WriteContext, id: string): Promise<void>;
  /** The token whose secret hashes to `secretHash`, if any. */
  findBySecretHash(secretHash: string): Promise<Token | undefined>;
  /**
   * Stamps `last_used_time` = `time` unless the stored stamp is less than a
   * minute older: a busy token costs at most one write a minute.
   */
  markUsed(id: string, time: Date): Promise<void>;
}

interface TokenRow {
  id: string;
  name: string;
  role: number;
  project_ids: string[];
  create_time: Date;
  last_used_time: Date | null;
}

const COLUMNS = "id, name, role, project_ids, create_time, last_used_time";

function toToken(row: TokenRow): Token {
  return create(TokenSchema, {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    projectIds: row.project_ids,
    createTime: timestampFromDate(row.create_time),
    lastUsedTime: row.last_used_time ? timestampFromDate(row.last_used_time) : undefined,
  });
}

async function loadToken(tx: Queryable, id: string): Promise<Token> {
  return toToken(await findById<TokenRow>(tx, "tok", COLUMNS, id));
}

export function createTokenStore(db: Db, writer: Writer): TokenStore {
  return {
    create: (ctx, token, secretHash) =>
      writer.other(ctx, async (w) => {
        for (const [i, projectId] of token.projectIds.entries()) {
          await loadProject(w.tx, projectId, `token.project_ids[${i}]`);
        }
        const [row] = await w.tx.query<TokenRow>(
          `INSERT INTO api_tokens (id, name, role, project_ids, secret_hash, create_time)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
          [newId("tok"), token.name, token.role, token.projectIds, secretHash, w.time],
        );
        const created = toToken(row!);
        w.audit(`tokens/${created.id}`, undefined, auditJson(TokenSchema, created));
        return created;
      }),

    get: (id) => loadToken(db, id),

    async list(request) {
      const size = pageSize(request.pageSize);
      const after = decodePageToken("tokens", request.pageToken, ["text", "text"]);
      const rows = await db.query<TokenRow>(
        `SELECT ${COLUMNS} FROM api_tokens
          WHERE ($1::text IS NULL OR (name, id) > ($1::text, $2::text))
          ORDER BY name, id LIMIT $3`,
        [after?.[0] ?? null, after?.[1] ?? null, size + 1],
      );
      return toPage(rows, size, "tokens", (r) => [r.name, r.id], toToken);
    },

    delete: (ctx, id) =>
      writer.other(ctx, async (w) => {
        const current = await loadToken(w.tx, id);
        await w.tx.query("DELETE FROM api_tokens WHERE id = $1", [id]);
        w.audit(`tokens/${id}`, auditJson(TokenSchema, current), undefined);
      }),

    async findBySecretHash(secretHash) {
      const [row] = await db.query<TokenRow>(
        `SELECT ${COLUMNS} FROM api_tokens WHERE secret_hash = $1`,
        [secretHash],
      );
      return row ? toToken(row) : undefined;
    },

    async markUsed(id, time) {
      await db.query(
        `UPDATE api_tokens SET last_used_time = $2
          WHERE id = $1 AND (last_used_time IS NULL OR last_used_time < $2::timestamptz - interval '1 minute')`,
        [id, time],
      );
    },
  };
}
