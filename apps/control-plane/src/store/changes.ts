import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type ConfigDelta, ConfigDeltaSchema } from "@switchyard/api";
import { ALIAS_COLUMNS, type AliasRow, toAlias } from "./aliases.js";
import type { Db } from "./db.js";
import { DOMAIN_COLUMNS, type DomainRow, toDomain } from "./domains.js";
import { PROJECT_COLUMNS, type ProjectRow, toProject } from "./projects.js";
import { RULE_COLUMNS, RULE_ORDER_BY, type RuleRow, toRule } from "./rule-rows.js";
import { readRevision } from "./snapshot.js";

/**
 * The delta from revision `after` to the current one (DESIGN.md §5): every config row written
 * after `after`, mapped as the snapshot maps it (secret values stay sealed), and the ids
 * deleted after `after`, read in one REPEATABLE READ transaction so all of it is of one
 * revision. Undefined when the tombstones kept no longer reach back to `after`: only a full
 * snapshot can bring a reader from there. Throws a RangeError when `after` is newer than the
 * store.
 */
export function readChanges(db: Db, after: bigint): Promise<ConfigDelta | undefined> {
  return db.transaction(async (tx) => {
    await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    const { revision, updateTime } = await readRevision(tx);
    if (after > revision) {
      throw new RangeError(`revision ${after} is newer than the store's (${revision})`);
    }
    const [horizon] = await tx.query<{ revision: bigint }>(
      "SELECT revision FROM config_tombstone_horizon",
    );
    if (after < horizon!.revision) return undefined;
    const params = [after];
    const projects = await tx.query<ProjectRow>(
      `SELECT ${PROJECT_COLUMNS} FROM projects WHERE revision > $1 ORDER BY name`,
      params,
    );
    const aliases = await tx.query<AliasRow>(
      `SELECT ${ALIAS_COLUMNS} FROM aliases WHERE revision > $1 ORDER BY project_id, name`,
      params,
    );
    const domains = await tx.query<DomainRow>(
      `SELECT ${DOMAIN_COLUMNS} FROM domains WHERE revision > $1 ORDER BY host`,
      params,
    );
    const rules = await tx.query<RuleRow>(
      `SELECT ${RULE_COLUMNS} FROM rules WHERE revision > $1 ORDER BY project_id, ${RULE_ORDER_BY}`,
      params,
    );
    const tombstones = await tx.query<{ id: string }>(
      "SELECT id FROM config_tombstones WHERE revision > $1 ORDER BY revision, id",
      params,
    );
    // An id written again after its deletion is live: a reader applying the delta removes
    // deleted ids after upserting, so it must not be listed as deleted.
    const live = new Set([...projects, ...aliases, ...domains, ...rules].map((row) => row.id));
    return create(ConfigDeltaSchema, {
      afterRevision: after,
      revision,
      createTime: timestampFromDate(updateTime),
      projects: projects.map(toProject),
      aliases: aliases.map(toAlias),
      domains: domains.map(toDomain),
      rules: rules.map(toRule),
      deletedIds: [...new Set(tombstones.map((t) => t.id))].filter((id) => !live.has(id)),
    });
  });
}

/**
 * Forgets the deletions of revisions up to `through`, and moves the horizon there: deltas from
 * older revisions are answered with `undefined` from then on. Never moves the horizon back.
 */
export async function pruneTombstones(db: Db, through: bigint): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.query<{ revision: bigint }>(
      `UPDATE config_tombstone_horizon SET revision = greatest(revision, $1)
        RETURNING revision`,
      [through],
    );
    await tx.query("DELETE FROM config_tombstones WHERE revision <= $1", [row!.revision]);
  });
}
