import { create } from "@bufbuild/protobuf";
import {
  AliasSchema,
  type ConfigDocument,
  type ConfigSnapshot,
  ConfigSnapshotSchema,
  DomainSchema,
  ProjectSchema,
  type Rule,
} from "@switchyard/api";
import { normaliseHost, normaliseRule, withRuleDefaults } from "@switchyard/policy";

/** The step between the orders a document's rules get, as a reorder gives them. */
const ORDER_STEP = 10;

/**
 * What workers would receive if `doc` were applied to an empty store: the snapshot
 * `switchyard explain --file` explains against, with the objects the server would create
 * (defaults filled in, names normalised, rules ordered as listed). Ids name the objects:
 * `file:web`, `file:web/production`, `file:web/production#2` (the second rule there).
 * Secret header values stay as the file resolved them; explanations mask them.
 */
export function documentSnapshot(doc: ConfigDocument): ConfigSnapshot {
  const snapshot = create(ConfigSnapshotSchema, { revision: 0n });
  for (const spec of doc.projects) {
    const projectId = `file:${spec.name}`;
    snapshot.projects.push(
      create(ProjectSchema, {
        id: projectId,
        name: spec.name,
        description: spec.description,
        rateLimit: spec.rateLimit,
      }),
    );
    const aliasIds = new Map<string, string>();
    const addRules = (rules: readonly Rule[], scope: string, aliasId: string) => {
      rules.forEach((rule, i) => {
        snapshot.rules.push({
          ...normaliseRule(withRuleDefaults(rule)),
          id: `${scope}#${i + 1}`,
          projectId,
          aliasId,
          order: (i + 1) * ORDER_STEP,
        });
      });
    };
    for (const alias of spec.aliases) {
      const id = `${projectId}/${alias.name}`;
      aliasIds.set(alias.name, id);
      snapshot.aliases.push(
        create(AliasSchema, {
          id,
          projectId,
          name: alias.name,
          inheritProjectRules: alias.inheritProjectRules,
        }),
      );
      addRules(alias.rules, id, id);
    }
    for (const domain of spec.domains) {
      const host = normaliseHost(domain.host);
      snapshot.domains.push(
        create(DomainSchema, {
          id: `file:${host}`,
          host,
          projectId,
          aliasId: aliasIds.get(domain.alias) ?? "",
        }),
      );
    }
    addRules(spec.rules, projectId, "");
  }
  return snapshot;
}
