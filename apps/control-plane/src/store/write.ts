import type { JsonObject } from "@bufbuild/protobuf";
import { type PendingAuditEvent, recordAuditEvents } from "../audit/record.js";
import type { Db, Queryable } from "./db.js";

/** Who writes, and through which RPC; every write is audited with both. */
export interface WriteContext {
  /** `token:<id> (<name>)` or `bootstrap-admin`. */
  actor: string;
  /** The RPC, e.g. `switchyard.v1.RuleService/UpdateRule`. */
  action: string;
  /**
   * Called with the project of every resource the write touches, before
   * anything changes; throw (PermissionDenied) to refuse. Default: allow.
   */
  authorize?: (projectId: string) => void;
  /**
   * Called with the revision a config write committed, once it is committed (before the
   * commit listeners); never for writes that are not config (tokens). Default: none.
   */
  committed?: (revision: bigint) => void;
  /**
   * Run the write inside this one instead of a transaction of its own: several store
   * operations then commit together, as one revision (an apply). The outer write
   * commits, audits and calls the listeners; `authorize` still applies to each.
   */
  within?: Write;
}

/** One write transaction, as the store's operations see it. */
export interface Write {
  readonly tx: Queryable;
  /** The revision this write produces; 0n for writes that are not config (tokens). */
  readonly revision: bigint;
  /** Time of the write: create/update times and the audit time. */
  readonly time: Date;
  authorize(projectId: string): void;
  /** Queues an audit event, inserted before commit. JSON must be redacted already. */
  audit(resource: string, before?: JsonObject, after?: JsonObject): void;
}

export type CommitListener = (revision: bigint) => void;

/** Logs what a commit listener threw; the write itself has succeeded. */
export type ListenerErrorHandler = (error: unknown) => void;

/**
 * Runs writes. A config write bumps the global revision as its first
 * statement: the row lock that takes serialises config writes on Postgres, so
 * existence, uniqueness and etag checks made inside the transaction cannot
 * race (READ COMMITTED gives each later statement a fresh snapshot). A write
 * that throws rolls back everything, the revision included.
 */
export class Writer {
  readonly #db: Db;
  readonly #listeners = new Set<CommitListener>();
  readonly #onListenerError: ListenerErrorHandler;

  constructor(db: Db, onListenerError: ListenerErrorHandler) {
    this.#db = db;
    this.#onListenerError = onListenerError;
  }

  /** Adds a listener called after each committed config write; returns its removal. */
  onCommit(listener: CommitListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A write that changes config: new revision, audit, commit, then listeners. */
  async config<T>(ctx: WriteContext, fn: (w: Write) => Promise<T>): Promise<T> {
    if (ctx.within) return fn(nested(ctx.within, ctx));
    const { value, revision } = await this.#db.transaction(async (tx) => {
      // The commit time increases by at least 1 ms per revision (even if the clock steps
      // back), so times stay distinct at the millisecond precision clients see, and ordering
      // rules by create_time, as workers do, equals ordering them by revision.
      const [row] = await tx.query<{ revision: bigint; update_time: Date }>(
        `UPDATE config_revision
            SET revision = revision + 1,
                update_time = greatest(update_time + interval '1 millisecond', clock_timestamp())
          RETURNING revision, update_time`,
      );
      const value = await runAudited(tx, row!.revision, row!.update_time, ctx, fn);
      return { value, revision: row!.revision };
    });
    ctx.committed?.(revision);
    for (const listener of this.#listeners) {
      try {
        listener(revision);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
    return value;
  }

  /** An audited write outside config (tokens): no revision, no listeners. */
  async other<T>(ctx: WriteContext, fn: (w: Write) => Promise<T>): Promise<T> {
    if (ctx.within) return fn(nested(ctx.within, ctx));
    return this.#db.transaction(async (tx) => {
      const [row] = await tx.query<{ now: Date }>("SELECT clock_timestamp() AS now");
      return runAudited(tx, 0n, row!.now, ctx, fn);
    });
  }
}

/** `outer` with the nested operation's own authorization check added. */
function nested(outer: Write, ctx: WriteContext): Write {
  return {
    ...outer,
    authorize: (projectId) => {
      outer.authorize(projectId);
      ctx.authorize?.(projectId);
    },
  };
}

async function runAudited<T>(
  tx: Queryable,
  revision: bigint,
  time: Date,
  ctx: WriteContext,
  fn: (w: Write) => Promise<T>,
): Promise<T> {
  const events: PendingAuditEvent[] = [];
  const write: Write = {
    tx,
    revision,
    time,
    authorize: (projectId) => ctx.authorize?.(projectId),
    audit: (resource, before, after) => events.push({ resource, before, after }),
  };
  const value = await fn(write);
  await recordAuditEvents(tx, { actor: ctx.actor, action: ctx.action, revision, time }, events);
  return value;
}
