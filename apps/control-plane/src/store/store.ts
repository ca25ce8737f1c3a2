import type { ConfigDelta, ConfigSnapshot } from "@switchyard/api";
import type { AuditLog } from "../audit/audit-log.js";
import type { AliasStore } from "./aliases.js";
import type { Queryable } from "./db.js";
import type { DomainStore } from "./domains.js";
import type { ProjectStore } from "./projects.js";
import type { RuleStore } from "./rules.js";
import type { RevisionInfo } from "./snapshot.js";
import type { TokenStore } from "./tokens.js";
import type { CommitListener, Write, WriteContext } from "./write.js";

/**
 * The durable state of the control plane. Every config write is one
 * transaction that bumps the global revision and writes its audit events;
 * a write that fails changes nothing, the revision included.
 */
export interface Store {
  /** "postgres" (databaseUrl) or "pglite" (embedded, in a data directory). */
  readonly kind: "postgres" | "pglite";
  readonly projects: ProjectStore;
  readonly aliases: AliasStore;
  readonly domains: DomainStore;
  readonly rules: RuleStore;
  readonly tokens: TokenStore;
  readonly audit: AuditLog;
  /** The current revision and its commit time. */
  revision(): Promise<RevisionInfo>;
  /** Runs reads that all see one revision (returned with their result). */
  readAt<T>(fn: (q: Queryable) => Promise<T>): Promise<{ value: T; revision: bigint }>;
  /**
   * Runs several store operations as one config write (pass `within: w` in their
   * context): one revision, all of them or none. `fn` throwing rolls everything back.
   */
  writeConfig<T>(ctx: WriteContext, fn: (w: Write) => Promise<T>): Promise<T>;
  /** What workers receive: secret header values only as `encrypted_value`. */
  snapshot(): Promise<ConfigSnapshot>;
  /**
   * What changed after revision `after`, up to the current revision: the rows written since,
   * as the snapshot holds them, and the ids deleted since (DESIGN.md §5). Undefined when the
   * deletions kept no longer reach back to `after` (see {@link Store.pruneTombstones}): only
   * a snapshot can bring a reader from there. Throws a RangeError when `after` is newer than
   * the store's revision.
   */
  changesSince(after: bigint): Promise<ConfigDelta | undefined>;
  /**
   * Forgets the deletions of revisions up to `through` (they are kept otherwise forever);
   * `changesSince` of an older revision is undefined from then on.
   */
  pruneTombstones(through: bigint): Promise<void>;
  /**
   * Calls `listener` after each committed config write of this process, with
   * its revision. Concurrent writes may report out of order; revisions never
   * repeat. A listener that throws is logged and does not affect the write.
   * Returns a function that removes the listener.
   */
  onCommit(listener: CommitListener): () => void;
  /** Closes the database; the store is unusable afterwards. */
  close(): Promise<void>;
}
