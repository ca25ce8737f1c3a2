import { clone, create, toJson } from "@bufbuild/protobuf";
import {
  type Alias,
  AliasSchema,
  type ConfigChange,
  ConfigChangeAction,
  ConfigChangeSchema,
  type ConfigDocument,
  type Project,
  ProjectSchema,
  type ProjectSpec,
  RateLimitSchema,
  type Rule,
  RuleSchema,
} from "@switchyard/api";
import {
  normaliseHost,
  normaliseRateLimit,
  normaliseRule,
  withRuleDefaults,
} from "@switchyard/policy";
import type { StoredProject, StoredState } from "./stored-projects.js";

/** A rule's scope in an apply: its project, and its alias by name ("" = project defaults). */
export interface ScopeName {
  project: string;
  alias: string;
}

/** A rule an apply creates, or one it keeps, as a reorder lists them. */
export type RuleRef = { id: string } | { created: Rule };

/** One store operation of an apply; objects are named, ids are resolved as it runs. */
export type ApplyStep =
  | { op: "createProject"; project: Project }
  | { op: "updateProject"; id: string; project: Project }
  | { op: "createAlias"; project: string; alias: Alias }
  | { op: "updateAlias"; id: string; alias: Alias }
  | { op: "deleteAlias"; id: string }
  | { op: "createDomain"; project: string; host: string; alias: string }
  | { op: "updateDomain"; id: string; project: string; alias: string }
  | { op: "deleteDomain"; id: string }
  | { op: "createRule"; scope: ScopeName; rule: Rule }
  | { op: "updateRule"; id: string; rule: Rule }
  | { op: "deleteRule"; id: string }
  | { op: "reorderRules"; scope: ScopeName; order: RuleRef[] };

export interface ApplyPlan {
  changes: ConfigChange[];
  steps: ApplyStep[];
}

export interface PlanOptions {
  prune: boolean;
  /** The plain value of a stored secret header (`encrypted_value` opened). */
  openSecret: (encryptedValue: string) => string;
}

/** Thrown for a document the stored state makes impossible (a host another project holds). */
export class PlanConflict extends Error {}

/**
 * What applying `doc` (valid, `${VAR}`s resolved) to `state` changes, and the store
 * operations that do it, in an order the store accepts: projects, aliases, domains
 * (deletions first, so a host can move), rules scope by scope (deleted, updated, created,
 * then reordered), and last the aliases pruned. Pure: the same input gives the same plan,
 * so a dry run shows exactly what the apply will do.
 *
 * Objects are matched by name (projects, aliases), host (domains), and scope plus path
 * pattern (rules; the n-th rule with a pattern matches the n-th stored one). A scope's
 * rules end up in the document's order; without `prune`, rules it does not declare stay,
 * after those it does.
 */
export function planApply(
  state: StoredState,
  doc: ConfigDocument,
  options: PlanOptions,
): ApplyPlan {
  const plan: ApplyPlan = { changes: [], steps: [] };
  const change = (action: ConfigChangeAction, kind: string, name: string, details: string[] = []) =>
    plan.changes.push(create(ConfigChangeSchema, { action, kind, name, details }));
  const declaredHosts = new Set(
    doc.projects.flatMap((p) => p.domains.map((d) => normaliseHost(d.host))),
  );
  const named = new Set(doc.projects.map((p) => p.name));

  const later: (() => void)[] = [];
  for (const spec of doc.projects) {
    const stored = state.projects.get(spec.name);
    planProject(spec, stored);
    planAliases(spec, stored);
  }
  // Domains of every project before any rule: a host moving between two projects of the
  // document is deleted from the one before it is created in the other.
  for (const spec of doc.projects) planDomainDeletions(spec, state.projects.get(spec.name));
  for (const spec of doc.projects) planDomains(spec, state.projects.get(spec.name));
  for (const spec of doc.projects) planRules(spec, state.projects.get(spec.name));
  for (const step of later) step();
  return plan;

  function planProject(spec: ProjectSpec, stored: StoredProject | undefined): void {
    const next = create(ProjectSchema, {
      name: spec.name,
      description: spec.description,
      rateLimit: spec.rateLimit && normaliseRateLimit(spec.rateLimit),
    });
    if (!stored) {
      plan.steps.push({ op: "createProject", project: next });
      change(ConfigChangeAction.CREATE, "project", spec.name);
      return;
    }
    const details = [
      ...fieldChange("description", stored.project.description, next.description),
      ...fieldChange("rate_limit", rateLimitText(stored.project), rateLimitText(next)),
    ];
    if (details.length === 0) return;
    plan.steps.push({ op: "updateProject", id: stored.project.id, project: next });
    change(ConfigChangeAction.UPDATE, "project", spec.name, details);
  }

  function planAliases(spec: ProjectSpec, stored: StoredProject | undefined): void {
    for (const alias of spec.aliases) {
      const current = stored?.aliases.find((a) => a.name === alias.name);
      const name = `${spec.name}/${alias.name}`;
      if (!current) {
        plan.steps.push({ op: "createAlias", project: spec.name, alias: aliasOf(alias) });
        change(ConfigChangeAction.CREATE, "alias", name);
      } else if (current.inheritProjectRules !== alias.inheritProjectRules) {
        plan.steps.push({ op: "updateAlias", id: current.id, alias: aliasOf(alias) });
        change(ConfigChangeAction.UPDATE, "alias", name, [
          `inherit_project_rules: ${current.inheritProjectRules} -> ${alias.inheritProjectRules}`,
        ]);
      }
    }
    if (!options.prune || !stored) return;
    for (const current of stored.aliases) {
      if (spec.aliases.some((a) => a.name === current.name)) continue;
      // Last: its rules go with it (the delete is forced), and no domain points at it by then.
      const rules = scopeRules(stored, current.id).map((r) => `with rule ${r.pathPattern}`);
      later.push(() => {
        plan.steps.push({ op: "deleteAlias", id: current.id });
        change(ConfigChangeAction.DELETE, "alias", `${spec.name}/${current.name}`, rules);
      });
    }
  }

  function planDomainDeletions(spec: ProjectSpec, stored: StoredProject | undefined): void {
    // Hosts this project declares that another project of the document holds move here.
    for (const domain of spec.domains) {
      const owner = state.hostOwners.get(normaliseHost(domain.host));
      if (!owner || owner.projectName === spec.name) continue;
      if (!named.has(owner.projectName)) {
        throw new PlanConflict(
          `host "${domain.host}" is a domain of project "${owner.projectName}", which the document does not declare; declare that project too, or delete the domain there first`,
        );
      }
      plan.steps.push({ op: "deleteDomain", id: owner.domain.id });
      change(ConfigChangeAction.DELETE, "domain", `${owner.domain.host}`, [
        `moves from project ${owner.projectName} to ${spec.name}`,
      ]);
    }
    if (!options.prune || !stored) return;
    for (const current of stored.domains) {
      if (spec.domains.some((d) => normaliseHost(d.host) === current.host)) continue;
      if (declaredHosts.has(current.host)) continue; // moves to another project: deleted above
      plan.steps.push({ op: "deleteDomain", id: current.id });
      change(ConfigChangeAction.DELETE, "domain", current.host);
    }
  }

  function planDomains(spec: ProjectSpec, stored: StoredProject | undefined): void {
    for (const domain of spec.domains) {
      const host = normaliseHost(domain.host);
      const current = stored?.domains.find((d) => d.host === host);
      if (!current) {
        plan.steps.push({ op: "createDomain", project: spec.name, host, alias: domain.alias });
        change(
          ConfigChangeAction.CREATE,
          "domain",
          host,
          domain.alias ? [`alias: ${domain.alias}`] : [],
        );
        continue;
      }
      const currentAlias = stored?.aliases.find((a) => a.id === current.aliasId)?.name ?? "";
      if (currentAlias === domain.alias) continue;
      plan.steps.push({
        op: "updateDomain",
        id: current.id,
        project: spec.name,
        alias: domain.alias,
      });
      change(ConfigChangeAction.UPDATE, "domain", host, [
        `alias: ${currentAlias || "(project defaults)"} -> ${domain.alias || "(project defaults)"}`,
      ]);
    }
  }

  function planRules(spec: ProjectSpec, stored: StoredProject | undefined): void {
    planScope({ project: spec.name, alias: "" }, spec.rules, scopeRules(stored, ""));
    for (const alias of spec.aliases) {
      const current = stored?.aliases.find((a) => a.name === alias.name);
      planScope(
        { project: spec.name, alias: alias.name },
        alias.rules,
        current ? scopeRules(stored, current.id) : [],
      );
    }
  }

  function planScope(scope: ScopeName, declared: readonly Rule[], current: readonly Rule[]): void {
    const scopeName = scope.alias ? `${scope.project}/${scope.alias}` : scope.project;
    const unmatched = [...current];
    const order: RuleRef[] = [];
    const created: Rule[] = [];
    for (const input of declared) {
      const rule = normaliseRule(withRuleDefaults(input));
      const index = unmatched.findIndex((r) => r.pathPattern === rule.pathPattern);
      const ruleName = `${scopeName}: ${rule.pathPattern}`;
      if (index === -1) {
        plan.steps.push({ op: "createRule", scope, rule });
        change(ConfigChangeAction.CREATE, "rule", ruleName, [`target_url: ${rule.targetUrl}`]);
        order.push({ created: rule });
        created.push(rule);
        continue;
      }
      const [match] = unmatched.splice(index, 1);
      order.push({ id: match!.id });
      const details = ruleChanges(match!, rule, options.openSecret);
      if (details.length === 0) continue;
      plan.steps.push({ op: "updateRule", id: match!.id, rule });
      change(ConfigChangeAction.UPDATE, "rule", ruleName, details);
    }
    for (const rule of unmatched) {
      if (options.prune) {
        plan.steps.push({ op: "deleteRule", id: rule.id });
        change(ConfigChangeAction.DELETE, "rule", `${scopeName}: ${rule.pathPattern}`);
      } else {
        order.push({ id: rule.id });
      }
    }
    // Without a reorder the store keeps the survivors' order and puts new rules last.
    const kept = new Set(order.flatMap((r) => ("id" in r ? [r.id] : [])));
    const natural = [
      ...current.filter((r) => kept.has(r.id)).map((r) => r.id),
      ...created.map(() => "+"),
    ];
    const wanted = order.map((r) => ("id" in r ? r.id : "+"));
    if (natural.join() === wanted.join()) return;
    plan.steps.push({ op: "reorderRules", scope, order });
    const patterns = order.map((r) =>
      "id" in r ? patternOf(current, r.id) : r.created.pathPattern,
    );
    change(
      ConfigChangeAction.REORDER,
      "rule",
      scopeName,
      patterns.map((p, i) => `${i + 1}. ${p}`),
    );
  }
}

function scopeRules(stored: StoredProject | undefined, aliasId: string): Rule[] {
  return stored?.rules.filter((r) => r.aliasId === aliasId) ?? [];
}

function patternOf(rules: readonly Rule[], id: string): string {
  return rules.find((r) => r.id === id)?.pathPattern ?? id;
}

function aliasOf(spec: { name: string; inheritProjectRules: boolean }): Alias {
  return create(AliasSchema, { name: spec.name, inheritProjectRules: spec.inheritProjectRules });
}

function rateLimitText(project: Project): string {
  return project.rateLimit ? JSON.stringify(toJson(RateLimitSchema, project.rateLimit)) : "none";
}

function fieldChange(field: string, before: string, after: string): string[] {
  return before === after
    ? []
    : [`${field}: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`];
}

const SECRET_SHOWN = "(secret)";

/**
 * One line per field of the rule that differs, `field: before -> after`, with secret
 * values never shown: a changed secret reads `header_config: secret header "x" changes`.
 */
export function ruleChanges(
  stored: Rule,
  desired: Rule,
  openSecret: (encryptedValue: string) => string,
): string[] {
  const before = comparable(stored, (h) => openSecret(h.encryptedValue));
  const after = comparable(desired, (h) => h.value);
  const lines: string[] = [];
  for (const field of RuleSchema.fields) {
    const a = before.json[field.name];
    const b = after.json[field.name];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    const shownA = JSON.stringify(before.shown[field.name] ?? null);
    const shownB = JSON.stringify(after.shown[field.name] ?? null);
    lines.push(
      shownA === shownB
        ? `${field.name}: a secret value changes`
        : `${field.name}: ${shownA} -> ${shownB}`,
    );
  }
  return lines;
}

/** The rule's document fields as JSON: `json` with secret values, `shown` with them masked. */
function comparable(
  rule: Rule,
  secretValue: (header: { value: string; encryptedValue: string }) => string,
): { json: Record<string, unknown>; shown: Record<string, unknown> } {
  const plain = clone(RuleSchema, rule);
  const masked = clone(RuleSchema, rule);
  for (const r of [plain, masked]) {
    r.id = "";
    r.projectId = "";
    r.aliasId = "";
    r.order = undefined;
    r.etag = "";
    r.createTime = undefined;
    r.updateTime = undefined;
  }
  plain.headerConfig?.add.forEach((h, i) => {
    if (h.secret) h.value = secretValue(rule.headerConfig!.add[i]!);
    h.encryptedValue = "";
  });
  for (const h of masked.headerConfig?.add ?? []) {
    if (h.secret) h.value = SECRET_SHOWN;
    h.encryptedValue = "";
  }
  const json = (r: Rule) =>
    toJson(RuleSchema, r, { useProtoFieldName: true }) as Record<string, unknown>;
  return { json: json(plain), shown: json(masked) };
}
