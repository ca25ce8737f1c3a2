import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type ConfigSnapshot, ConfigSnapshotSchema } from "@switchyard/api";
import { ALIAS_COLUMNS, type AliasRow, toAlias } from "./aliases.js";
import type { Db, Queryable } from "./db.js";
import { DOMAIN_COLUMNS, type DomainRow, toDomain } from "./domains.js";
import { PROJECT_COLUMNS, type ProjectRow, toProject } from "./projects.js";
import { RULE_COLUMNS, RULE_ORDER_BY, type RuleRow, toRule } from "./rule-rows.js";

/** The current config revision and when it was committed. */
export interface RevisionInfo {
  revision: bigint;
  updateTime: Date;
}

export async function readRevision(q: Queryable): Promise<RevisionInfo> {
  const [row] = await q.query<{ revision: bigint; update_time: Date }>(
    "SELECT revision, update_time FROM config_revision",
  );
  return { revision: row!.revision, updateTime: row!.update_time };
}

/**
 * Runs `fn` in one REPEATABLE READ, read-only transaction: every read it makes sees the
 * store exactly at the revision returned with its result.
 */
export function readAtRevision<T>(
  db: Db,
  fn: (q: Queryable) => Promise<T>,
): Promise<{ value: T; revision: bigint }> {
  return db.transaction(async (tx) => {
    await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    const { revision } = await readRevision(tx);
    return { value: await fn(tx), revision };
  });
}

/**
 * Everything a worker routes with, read in one REPEATABLE READ transaction so
 * the rows are exactly those of `revision`. Rules are in match order and keep
 * secret header values sealed (`encrypted_value` set, `value` empty).
 */
export function readSnapshot(db: Db): Promise<ConfigSnapshot> {
  return db.transaction(async (tx) => {
    await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    const { revision, updateTime } = await readRevision(tx);
    const projects = await tx.query<ProjectRow>(
      `SELECT ${PROJECT_COLUMNS} FROM projects ORDER BY name`,
    );
    const aliases = await tx.query<AliasRow>(
      `SELECT ${ALIAS_COLUMNS} FROM aliases ORDER BY project_id, name`,
    );
    const domains = await tx.query<DomainRow>(
      `SELECT ${DOMAIN_COLUMNS} FROM domains ORDER BY host`,
    );
    const rules = await tx.query<RuleRow>(
      `SELECT ${RULE_COLUMNS} FROM rules ORDER BY project_id, ${RULE_ORDER_BY}`,
    );
    return create(ConfigSnapshotSchema, {
      revision,
      createTime: timestampFromDate(updateTime),
      projects: projects.map(toProject),
      aliases: aliases.map(toAlias),
      domains: domains.map(toDomain),
      rules: rules.map(toRule),
    });
  });
}
