import { create, type JsonObject } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { type AuditEvent, AuditEventSchema } from "@switchyard/api";
import { checkText } from "@switchyard/policy";
import type { Db } from "../store/db.js";
import { decodePageToken, type Page, type PageRequest, pageSize, toPage } from "../store/page.js";

/** Reads the audit log, which writes fill inside their own transactions. */
export interface AuditLog {
  /** Newest first. `resourcePrefix`: only resources whose name starts with it. */
  list(request: PageRequest & { resourcePrefix?: string }): Promise<Page<AuditEvent>>;
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
      // Resource names never hold control characters; U+0000 would fail in SQL.
      const problem = checkText(prefix);
      if (problem !== undefined) {
        throw new ConnectError(`resource_prefix: ${problem}`, Code.InvalidArgument);
      }
      const list = `audit:${prefix}`;
      const after = decodePageToken(list, request.pageToken, ["bigint"]);
      const rows = await db.query<AuditRow>(
        `SELECT seq, id, time, actor, action, resource, before, after, revision
           FROM audit_events
          WHERE starts_with(resource, $1) AND ($2::bigint IS NULL OR seq < $2)
          ORDER BY seq DESC LIMIT $3`,
        [prefix, after?.[0] ?? null, size + 1],
      );
      return toPage(rows, size, list, (r) => [r.seq.toString()], toAuditEvent);
    },
  };
}
