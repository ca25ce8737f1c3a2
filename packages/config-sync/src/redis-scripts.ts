import { createHash } from "node:crypto";
import type { RedisConnection } from "./redis-connection.js";

/**
 * The bus's Lua scripts. Each runs atomically in Redis, so concurrent control planes cannot
 * interleave a check with a write; every key they touch shares one hash tag, so they also run on
 * Redis Cluster. Revisions travel as decimal strings and are compared as Lua numbers, exact up
 * to 2^53. Any key holding something unreadable (wrong type, not a revision) is treated as absent
 * and overwritten: Redis is derived data, the control plane's store is the truth.
 */
export interface BusScript {
  readonly name: string;
  readonly lua: string;
  readonly sha: string;
}

/** Shared Lua: a non-negative integer revision from a reply, or nil (absent, error, garbage). */
const REVISION = `
local function revision(reply)
  if type(reply) ~= 'string' then return nil end
  if not string.match(reply, '^%d+$') then return nil end
  return tonumber(reply)
end
`;

/**
 * Appends a delta. KEYS: head, snapshot, deltas. ARGV: after, revision, delta (binary), channel,
 * snapshotEveryRevisions, snapshotEveryBytes.
 *
 * Appends only when `after <= head < revision`; then sets head, PUBLISHes the revision on the
 * channel and adds the delta's size to the snapshot's `deltaBytes`, all in one step. Returns
 * `{'published', due}` (due = 1 when a snapshot is due: none exists, or `revision - snapshot`
 * or `deltaBytes` reached its threshold), `{'stale', head}` or `{'gap', head or ''}`.
 * When the stream cannot take the id (an entry at or past `revision` that no append put there,
 * or a key of another type), the stream is dropped and restarted with this delta, and a
 * snapshot is reported due: readers behind it fall back to the snapshot.
 */
export const appendDeltaScript = script(
  "appendDelta",
  `${REVISION}
local headRaw = redis.pcall('GET', KEYS[1])
local head = revision(headRaw)
local after = tonumber(ARGV[1])
local rev = tonumber(ARGV[2])
if head == nil then return {'gap', ''} end
if head >= rev then return {'stale', headRaw} end
if head < after then return {'gap', headRaw} end
local id = ARGV[2] .. '-0'
local due = 0
local added = redis.pcall('XADD', KEYS[3], id, 'after', ARGV[1], 'delta', ARGV[3])
if type(added) == 'table' and added.err then
  redis.call('DEL', KEYS[3])
  redis.call('XADD', KEYS[3], id, 'after', ARGV[1], 'delta', ARGV[3])
  due = 1
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[4], ARGV[2])
local snapshot = revision(redis.pcall('HGET', KEYS[2], 'revision'))
if snapshot == nil then
  due = 1
else
  local bytes = redis.call('HINCRBY', KEYS[2], 'deltaBytes', string.len(ARGV[3]))
  if rev - snapshot >= tonumber(ARGV[5]) or bytes >= tonumber(ARGV[6]) then due = 1 end
end
return {'published', due}
`,
);

/**
 * Stores a snapshot unless one as new exists (compare-and-set, never backwards). KEYS: head,
 * snapshot, deltas. ARGV: revision, data (binary), channel, backlog.
 *
 * When stored: the hash becomes `{revision, data, deltaBytes = 0}`; head is raised to the
 * revision (and the revision PUBLISHed) when it is older or absent; the stream is trimmed with
 * `XTRIM MINID revision - backlog + 1`, so every entry after the snapshot stays and at most
 * `backlog` revisions at or before it remain for readers slightly behind. Returns 1 when stored,
 * 0 when not.
 */
export const storeSnapshotScript = script(
  "storeSnapshot",
  `${REVISION}
local rev = tonumber(ARGV[1])
local current = revision(redis.pcall('HGET', KEYS[2], 'revision'))
if current ~= nil and current >= rev then return 0 end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], 'revision', ARGV[1], 'data', ARGV[2], 'deltaBytes', '0')
local head = revision(redis.pcall('GET', KEYS[1]))
if head == nil or head < rev then
  redis.call('SET', KEYS[1], ARGV[1])
  redis.call('PUBLISH', ARGV[3], ARGV[1])
end
local minid = rev - tonumber(ARGV[4]) + 1
if minid > 1 then
  local trimmed = redis.pcall('XTRIM', KEYS[3], 'MINID', string.format('%d', minid))
  if type(trimmed) == 'table' and trimmed.err then redis.call('DEL', KEYS[3]) end
end
return 1
`,
);

/**
 * Runs a script by its SHA-1, loading it with EVAL when the server does not know it (after a
 * restart, a SCRIPT FLUSH, or on a cluster node seen for the first time).
 */
export async function runScript(
  connection: RedisConnection,
  busScript: BusScript,
  keys: readonly string[],
  args: readonly (string | Buffer | number)[],
): Promise<unknown> {
  try {
    return await connection.evalsha(busScript.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
    return await connection.eval(busScript.lua, keys.length, ...keys, ...args);
  }
}

function script(name: string, lua: string): BusScript {
  return { name, lua, sha: createHash("sha1").update(lua).digest("hex") };
}
