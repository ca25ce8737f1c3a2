/**
 * What a {@link RedisConfigSubscriber} reports as it works, for logs and metrics. It never
 * throws into its caller: every failure arrives here instead.
 * - `delta-applied`: a delta from the stream was applied; `bytes` is what was read from Redis
 *   for it (the stream entry's fields).
 * - `snapshot-loaded`: the full snapshot was loaded (at start, or because the stream could not
 *   fill a gap); `bytes` is the snapshot's size.
 * - `resync`: the subscriber had to fall back (gap the stream cannot fill, bus flushed, head behind
 *   what is served); `reason` says which.
 * - `redis-error`: a Redis command or connection failed; the subscriber keeps serving and retries
 *   on the next notification, reconnect or recheck.
 * - `invalid`: data in Redis did not decode or went backwards; it was skipped. `what` names it
 *   (`head`, `snapshot`, `delta <id>`, `notification`).
 * - `listener-error`: a snapshot listener threw; the subscriber carries on.
 */
export type SyncEvent =
  | { readonly kind: "delta-applied"; readonly revision: bigint; readonly bytes: number }
  | { readonly kind: "snapshot-loaded"; readonly revision: bigint; readonly bytes: number }
  | { readonly kind: "resync"; readonly reason: string }
  | { readonly kind: "redis-error"; readonly error: Error }
  | { readonly kind: "invalid"; readonly what: string; readonly error: Error }
  | { readonly kind: "listener-error"; readonly error: Error };

/** Receives {@link SyncEvent}s. Must not throw (what it throws is ignored). */
export type SyncEventListener = (event: SyncEvent) => void;
