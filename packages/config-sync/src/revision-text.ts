/**
 * A revision from its decimal text in Redis (head, a snapshot's `revision` field, a stream id's
 * first part, a notification). Undefined when absent or not a plain non-negative integer: such a
 * value was not written by the bus and is treated as missing.
 */
export function parseRevision(text: string | Buffer | null | undefined): bigint | undefined {
  if (text === null || text === undefined) return undefined;
  const value = typeof text === "string" ? text : text.toString("latin1");
  if (!/^\d{1,19}$/.test(value)) return undefined;
  return BigInt(value);
}
