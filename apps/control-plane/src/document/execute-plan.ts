import { create } from "@bufbuild/protobuf";
import { AliasSchema, DomainSchema, type Rule, RuleSchema } from "@switchyard/api";
import type { Keyring } from "../secrets/keyring.js";
import { sealRuleSecrets } from "../secrets/rule-secrets.js";
import type { Store } from "../store/store.js";
import type { Write, WriteContext } from "../store/write.js";
import type { ApplyPlan, ScopeName } from "./plan-apply.js";
import type { StoredState } from "./stored-projects.js";

/**
 * Runs an apply's steps through the store's own operations, all inside the write `w`:
 * the same checks, audit events and sealing as the single-object calls, one revision.
 */
export async function executePlan(
  w: Write,
  ctx: WriteContext,
  deps: { store: Store; keyring: Keyring },
  state: StoredState,
  plan: ApplyPlan,
): Promise<void> {
  const { store, keyring } = deps;
  const inner: WriteContext = { ...ctx, within: w };
  const projectIds = new Map<string, string>();
  const aliasIds = new Map<string, string>();
  for (const [name, stored] of state.projects) {
    projectIds.set(name, stored.project.id);
    for (const alias of stored.aliases) aliasIds.set(`${name}/${alias.name}`, alias.id);
  }
  const createdRules = new Map<Rule, string>();
  const projectId = (name: string) => projectIds.get(name)!;
  const aliasId = (project: string, alias: string) =>
    alias === "" ? "" : aliasIds.get(`${project}/${alias}`)!;
  const scopeOf = (scope: ScopeName) => ({
    projectId: projectId(scope.project),
    aliasId: aliasId(scope.project, scope.alias),
  });

  for (const step of plan.steps) {
    switch (step.op) {
      case "createProject": {
        const created = await store.projects.create(inner, step.project);
        projectIds.set(created.name, created.id);
        break;
      }
      case "updateProject":
        await store.projects.update(inner, step.id, "", (current) => ({
          ...current,
          description: step.project.description,
          rateLimit: step.project.rateLimit,
        }));
        break;
      case "createAlias": {
        const alias = create(AliasSchema, { ...step.alias, projectId: projectId(step.project) });
        const created = await store.aliases.create(inner, alias);
        aliasIds.set(`${step.project}/${created.name}`, created.id);
        break;
      }
      case "updateAlias":
        await store.aliases.update(inner, step.id, "", (current) => ({
          ...current,
          inheritProjectRules: step.alias.inheritProjectRules,
        }));
        break;
      case "deleteAlias":
        await store.aliases.delete(inner, step.id, { force: true });
        break;
      case "createDomain":
        await store.domains.create(
          inner,
          create(DomainSchema, {
            host: step.host,
            projectId: projectId(step.project),
            aliasId: aliasId(step.project, step.alias),
          }),
        );
        break;
      case "updateDomain":
        await store.domains.update(inner, step.id, "", (current) => ({
          ...current,
          aliasId: aliasId(step.project, step.alias),
        }));
        break;
      case "deleteDomain":
        await store.domains.delete(inner, step.id);
        break;
      case "createRule": {
        const rule = create(RuleSchema, { ...step.rule, ...scopeOf(step.scope) });
        const created = await store.rules.create(inner, sealRuleSecrets(rule, undefined, keyring));
        createdRules.set(step.rule, created.id);
        break;
      }
      case "updateRule":
        await store.rules.update(inner, step.id, "", (current) =>
          sealRuleSecrets(
            create(RuleSchema, {
              ...step.rule,
              id: current.id,
              projectId: current.projectId,
              aliasId: current.aliasId,
              order: current.order,
            }),
            current,
            keyring,
          ),
        );
        break;
      case "deleteRule":
        await store.rules.delete(inner, step.id);
        break;
      case "reorderRules":
        await store.rules.reorder(
          inner,
          scopeOf(step.scope),
          step.order.map((ref) => ("id" in ref ? ref.id : createdRules.get(ref.created)!)),
        );
        break;
    }
  }
}
