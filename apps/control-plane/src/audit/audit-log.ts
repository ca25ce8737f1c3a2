import { create, type JsonObject } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { type AuditEvent, AuditEventSchema } from "@switchyard/api";
import { checkText } from "@switchyard/policy";
import type { Db } from "../store/db.js";
import { decodePageToken, type Page, type PageRequest, pageSize, toPage } from "../store/page.js";

/** Reads the audit log, which writes fill inside their own transactions. */
export interface AuditLog {
  /** Newest first, filtered as {@link AuditFilter} says. */
  list(request: PageRequest & AuditFilter): Promise<Page<AuditEvent>>;
}

/** Which events a list returns. Each filter left unset matches every event. */
export interface AuditFilter {
  /** Only resources whose name starts with it. */
  resourcePrefix?: string;
  /** Only this actor: the whole actor string, a token id or a token name. */
  actor?: string;
  /** Only events at or after this time. */
  since?: Date;
}

interface AuditRow {
  seq: bigint;
  id: string;
  time: Date;
  actor: string;
  action: string;
  resource: string;
  before: JsonObject | null;
  after: JsonObject | null;
  revision: bigint;
}

function toAuditEvent(row: AuditRow): AuditEvent {
  return create(AuditEventSchema, {
    id: row.id,
    time: timestampFromDate(row.time),
    actor: row.actor,
    action: row.action,
    resource: row.resource,
    before: row.before ?? undefined,
    after: row.after ?? undefined,
    revision: row.revision,
  });
}

export function createAuditLog(db: Db): AuditLog {
  return {
    async list(request) {
      const size = pageSize(request.pageSize);
      const prefix = request.resourcePrefix ?? "";
      const actor = request.actor ?? "";
      // Resource names and actors never hold control characters; U+0000 would fail in SQL.
      for (const [field, value] of [
        ["resource_prefix", prefix],
        ["actor", actor],
      ] as const) {
        const problem = checkText(value);
        if (problem !== undefined)
          throw new ConnectError(`${field}: ${problem}`, Code.InvalidArgument);
      }
      const since = request.since ?? null;
      if (since !== null && Number.isNaN(since.getTime())) {
        throw new ConnectError("since: is not a valid time", Code.InvalidArgument);
      }
      // A page token is bound to its filters, so one replayed with others is refused.
      const list = `audit:${JSON.stringify([prefix, actor, since?.toISOString() ?? ""])}`;
      const after = decodePageToken(list, request.pageToken, ["bigint"]);
      // An actor is "bootstrap-admin" or "token:<id> (<name>)" (auth/principal.ts): the filter
      // matches the whole of it, the token id, or the token name.
      const rows = await db.query<AuditRow>(
        `SELECT seq, id, time, actor, action, resource, before, after, revision
           FROM audit_events
          WHERE starts_with(resource, $1) AND ($2::bigint IS NULL OR seq < $2)
            AND ($4::text = '' OR actor = $4::text
                 OR starts_with(actor, 'token:' || $4::text || ' (')
                 OR (starts_with(actor, 'token:')
                     AND right(actor, length($4::text) + 3) = ' (' || $4::text || ')'))
            AND ($5::timestamptz IS NULL OR time >= $5)
          ORDER BY seq DESC LIMIT $3`,
        [prefix, after?.[0] ?? null, size + 1, actor, since],
      );
      return toPage(rows, size, list, (r) => [r.seq.toString()], toAuditEvent);
    },
  };
}
