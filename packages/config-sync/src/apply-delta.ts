import { create } from "@bufbuild/protobuf";
import { type ConfigDelta, type ConfigSnapshot, ConfigSnapshotSchema } from "@switchyard/api";

/**
 * The snapshot of `delta.revision`, from a snapshot of a revision in
 * `[delta.afterRevision, delta.revision)`: objects are replaced or added by id and deleted ids
 * removed, so a change the snapshot already holds is applied again harmlessly. Order within a
 * kind is kept for objects that stay, and new ones are appended; the matcher sorts rules by
 * their own order, so array order carries no meaning. Throws a `RangeError` when the delta
 * does not apply to the snapshot's revision.
 */
export function applyDelta(snapshot: ConfigSnapshot, delta: ConfigDelta): ConfigSnapshot {
  if (snapshot.revision < delta.afterRevision || snapshot.revision >= delta.revision) {
    throw new RangeError(
      `delta ${delta.afterRevision}..${delta.revision} does not apply to revision ${snapshot.revision}`,
    );
  }
  const deleted = new Set(delta.deletedIds);
  return create(ConfigSnapshotSchema, {
    revision: delta.revision,
    createTime: delta.createTime,
    projects: merge(snapshot.projects, delta.projects, deleted),
    aliases: merge(snapshot.aliases, delta.aliases, deleted),
    domains: merge(snapshot.domains, delta.domains, deleted),
    rules: merge(snapshot.rules, delta.rules, deleted),
  });
}

function merge<T extends { readonly id: string }>(
  current: readonly T[],
  changed: readonly T[],
  deleted: ReadonlySet<string>,
): T[] {
  if (changed.length === 0 && deleted.size === 0) return [...current];
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
