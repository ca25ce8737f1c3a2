import type { Alias, Domain, Project, Rule } from "@switchyard/api";
import { normaliseHost } from "@switchyard/policy";
import { ALIAS_COLUMNS, type AliasRow, toAlias } from "../store/aliases.js";
import type { Queryable } from "../store/db.js";
import { DOMAIN_COLUMNS, type DomainRow, toDomain } from "../store/domains.js";
import { PROJECT_COLUMNS, type ProjectRow, toProject } from "../store/projects.js";
import { RULE_COLUMNS, RULE_ORDER_BY, type RuleRow, toRule } from "../store/rule-rows.js";

/** One project as stored, with everything in it; rules in match order, secrets sealed. */
export interface StoredProject {
  project: Project;
  aliases: Alias[];
  domains: Domain[];
  rules: Rule[];
}

/** What an apply or an export reads: projects by name, and who holds the hosts named. */
export interface StoredState {
  projects: Map<string, StoredProject>;
  /** Every stored domain whose host is one of those asked about, by normalised host. */
  hostOwners: Map<string, { domain: Domain; projectName: string }>;
}

/**
 * Reads the projects named (`undefined`: all) and the domains of `hosts`, in the
 * transaction `q` (an apply's write, or a REPEATABLE READ read for a dry run or an export).
 */
export async function readStoredProjects(
  q: Queryable,
  names: readonly string[] | undefined,
  hosts: readonly string[] = [],
): Promise<StoredState> {
  const projectRows = await q.query<ProjectRow>(
    `SELECT ${PROJECT_COLUMNS} FROM projects WHERE $1::text[] IS NULL OR name = ANY($1) ORDER BY name`,
    [names ?? null],
  );
  const ids = projectRows.map((r) => r.id);
  const aliases = await q.query<AliasRow>(
    `SELECT ${ALIAS_COLUMNS} FROM aliases WHERE project_id = ANY($1) ORDER BY name`,
    [ids],
  );
  const domains = await q.query<DomainRow>(
    `SELECT ${DOMAIN_COLUMNS} FROM domains WHERE project_id = ANY($1) ORDER BY host`,
    [ids],
  );
  const rules = await q.query<RuleRow>(
    `SELECT ${RULE_COLUMNS} FROM rules WHERE project_id = ANY($1) ORDER BY ${RULE_ORDER_BY}`,
    [ids],
  );
  const projects = new Map<string, StoredProject>();
  const byId = new Map<string, StoredProject>();
  for (const row of projectRows) {
    const stored: StoredProject = { project: toProject(row), aliases: [], domains: [], rules: [] };
    projects.set(row.name, stored);
    byId.set(row.id, stored);
  }
  for (const row of aliases) byId.get(row.project_id)?.aliases.push(toAlias(row));
  for (const row of domains) byId.get(row.project_id)?.domains.push(toDomain(row));
  for (const row of rules) byId.get(row.project_id)?.rules.push(toRule(row));

  const hostOwners = new Map<string, { domain: Domain; projectName: string }>();
  const owners = await q.query<DomainRow & { project_name: string }>(
    `SELECT ${DOMAIN_COLUMNS.split(", ")
      .map((c) => `d.${c}`)
      .join(", ")}, p.name AS project_name
       FROM domains d JOIN projects p ON p.id = d.project_id WHERE d.host = ANY($1)`,
    [hosts.map(normaliseHost)],
  );
  for (const row of owners) {
    hostOwners.set(row.host, { domain: toDomain(row), projectName: row.project_name });
  }
  return { projects, hostOwners };
}
