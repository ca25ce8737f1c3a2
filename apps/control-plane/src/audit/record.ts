import type { JsonObject } from "@bufbuild/protobuf";
import type { Queryable } from "../store/db.js";
import { newId } from "../store/ids.js";

/** An audit event queued by a write, before it knows its id. */
export interface PendingAuditEvent {
  /** Resource name, e.g. `rules/rul_…`. */
  resource: string;
  /** Unset for creates. */
  before?: JsonObject;
  /** Unset for deletes. */
  after?: JsonObject;
}

/** What every event of one write shares. */
export interface AuditWriteInfo {
  actor: string;
  action: string;
  /** The config revision the write produced; 0n when it changed no config. */
  revision: bigint;
  time: Date;
}

/** Inserts the events of one write inside its transaction, in the order queued. */
export async function recordAuditEvents(
  tx: Queryable,
  info: AuditWriteInfo,
  events: readonly PendingAuditEvent[],
): Promise<void> {
  for (const event of events) {
    await tx.query(
      `INSERT INTO audit_events (id, time, actor, action, resource, before, after, revision)
       VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7::text::jsonb, $8)`,
      [
        newId("evt"),
        info.time,
        info.actor,
        info.action,
        event.resource,
        event.before === undefined ? null : JSON.stringify(event.before),
        event.after === undefined ? null : JSON.stringify(event.after),
        info.revision.toString(),
      ],
    );
  }
}
