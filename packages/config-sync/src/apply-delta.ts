import { create } from "@bufbuild/protobuf";
import { type ConfigDelta, ConfigDeltaSchema, type ConfigSnapshot } from "@switchyard/api";

/**
 * The snapshot of `delta.revision`, from a snapshot of a revision in
 * `[delta.afterRevision, delta.revision)`: objects are replaced or added by id and deleted ids
 * removed, so a change the snapshot already holds is applied again harmlessly. Order within a
 * kind is kept for objects that stay, and new ones are appended; the matcher sorts rules by
 * their own order, so array order carries no meaning. The result shares unchanged lists and
 * objects with `snapshot` (neither is ever mutated). Throws a `RangeError` when the delta
 * does not apply to the snapshot's revision.
 */
export function applyDelta(snapshot: ConfigSnapshot, delta: ConfigDelta): ConfigSnapshot {
  if (snapshot.revision < delta.afterRevision || snapshot.revision >= delta.revision) {
    throw new RangeError(
      `delta ${delta.afterRevision}..${delta.revision} does not apply to revision ${snapshot.revision}`,
    );
  }
  const deleted = new Set(delta.deletedIds);
  // A shallow copy, not create(): create() walks every element of every list, which costs tens
  // of milliseconds at 100 000 rules for a one-rule change. Snapshots are never mutated, so the
  // new one shares the unchanged lists and objects of the old one.
  return {
    ...snapshot,
    revision: delta.revision,
    createTime: delta.createTime,
    projects: merge(snapshot.projects, delta.projects, deleted),
    aliases: merge(snapshot.aliases, delta.aliases, deleted),
    domains: merge(snapshot.domains, delta.domains, deleted),
    rules: merge(snapshot.rules, delta.rules, deleted),
  };
}

/** `current` with `changed` replacing or added by id and `deleted` removed; `current` itself when nothing applies. */
function merge<T extends { readonly id: string }>(
  current: T[],
  changed: readonly T[],
  deleted: ReadonlySet<string>,
): T[] {
  if (changed.length === 0 && deleted.size === 0) return current;
  const updates = new Map(changed.map((item) => [item.id, item]));
  const out: T[] = [];
  for (const item of current) {
    if (deleted.has(item.id)) continue;
    const update = updates.get(item.id);
    if (update === undefined) {
      out.push(item);
    } else {
      out.push(update);
      updates.delete(item.id);
    }
  }
  for (const item of updates.values()) if (!deleted.has(item.id)) out.push(item);
  return out;
}

/**
 * One delta equal to applying `first` then `second` (`first.afterRevision → second.revision`),
 * so a worker catching up over many deltas rebuilds its snapshot once. Later objects replace
 * earlier ones by id; an id deleted by `second` is deleted, one `second` writes again is no longer
 * deleted. Throws a `RangeError` when `second` does not apply after `first`.
 */
export function composeDeltas(first: ConfigDelta, second: ConfigDelta): ConfigDelta {
  if (second.afterRevision > first.revision || second.revision <= first.revision) {
    throw new RangeError(
      `delta ${second.afterRevision}..${second.revision} does not follow ${first.afterRevision}..${first.revision}`,
    );
  }
  const deletedNow = new Set(second.deletedIds);
  const written = new Set<string>();
  for (const kind of [second.projects, second.aliases, second.domains, second.rules]) {
    for (const item of kind) if (!deletedNow.has(item.id)) written.add(item.id);
  }
  const deleted = new Set([...first.deletedIds].filter((id) => !written.has(id)));
  for (const id of deletedNow) deleted.add(id);
  return create(ConfigDeltaSchema, {
    afterRevision: first.afterRevision,
    revision: second.revision,
    createTime: second.createTime,
    projects: combine(first.projects, second.projects, deletedNow),
    aliases: combine(first.aliases, second.aliases, deletedNow),
    domains: combine(first.domains, second.domains, deletedNow),
    rules: combine(first.rules, second.rules, deletedNow),
    deletedIds: [...deleted],
  });
}

function combine<T extends { readonly id: string }>(
  earlier: readonly T[],
  later: readonly T[],
  deleted: ReadonlySet<string>,
): T[] {
  const byId = new Map<string, T>();
  for (const item of earlier) if (!deleted.has(item.id)) byId.set(item.id, item);
  for (const item of later) if (!deleted.has(item.id)) byId.set(item.id, item);
  return [...byId.values()];
}
