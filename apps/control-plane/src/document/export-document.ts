import { clone, create, fromJson, type JsonValue, toJson } from "@bufbuild/protobuf";
import {
  AliasSpecSchema,
  type ConfigDocument,
  ConfigDocumentSchema,
  DomainSpecSchema,
  ProjectSpecSchema,
  type Rule,
  RuleSchema,
} from "@switchyard/api";
import { escapeReferences, reference } from "@switchyard/config-doc";
import { DEFAULT_TIMEOUT_MS } from "@switchyard/policy";
import type { StoredProject, StoredState } from "./stored-projects.js";

/**
 * The stored projects as a config document, in the form a file spells it: defaults left
 * out, literal `${` escaped as `$${`, and each secret header value a `${VAR}` reference
 * (`WEB_PRODUCTION_X_API_KEY`: project, alias, header), never the secret. Applying the
 * document with those variables set to the secrets changes nothing.
 */
export function exportDocument(state: StoredState): ConfigDocument {
  const projects = [...state.projects.values()].map(exportProject);
  // Every string as a file writes it literally, then the secrets as references.
  const json = toJson(ConfigDocumentSchema, create(ConfigDocumentSchema, { projects }));
  const doc = fromJson(ConfigDocumentSchema, escapeStrings(json));
  const names = new Set<string>();
  for (const project of doc.projects) {
    const scopes = [
      { scope: [project.name], rules: project.rules },
      ...project.aliases.map((a) => ({ scope: [project.name, a.name], rules: a.rules })),
    ];
    for (const { scope, rules } of scopes) {
      for (const header of rules.flatMap((r) => r.headerConfig?.add ?? [])) {
        if (header.secret) header.value = reference(variableName([...scope, header.name], names));
      }
    }
  }
  return doc;
}

/** `value` with every string in it escaped as a file writes it literally. */
function escapeStrings(value: JsonValue): JsonValue {
  if (typeof value === "string") return escapeReferences(value);
  if (Array.isArray(value)) return value.map(escapeStrings);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeStrings(v)]));
  }
  return value;
}

function exportProject(stored: StoredProject) {
  const { project } = stored;
  const aliasName = new Map(stored.aliases.map((a) => [a.id, a.name]));
  return create(ProjectSpecSchema, {
    name: project.name,
    description: project.description,
    rateLimit: project.rateLimit,
    aliases: stored.aliases.map((alias) =>
      create(AliasSpecSchema, {
        name: alias.name,
        inheritProjectRules: alias.inheritProjectRules,
        rules: stored.rules.filter((r) => r.aliasId === alias.id).map(exportRule),
      }),
    ),
    domains: stored.domains.map((d) =>
      create(DomainSpecSchema, { host: d.host, alias: aliasName.get(d.aliasId) ?? "" }),
    ),
    rules: stored.rules.filter((r) => r.aliasId === "").map(exportRule),
  });
}

/** The rule without what the server assigns, and its documented defaults left out. */
function exportRule(stored: Rule): Rule {
  const rule = clone(RuleSchema, stored);
  rule.id = "";
  rule.projectId = "";
  rule.aliasId = "";
  rule.order = undefined;
  rule.etag = "";
  rule.createTime = undefined;
  rule.updateTime = undefined;
  if (rule.stripPrefix === true) rule.stripPrefix = undefined;
  if (rule.enabled === true) rule.enabled = undefined;
  if (rule.timeoutMs === DEFAULT_TIMEOUT_MS) rule.timeoutMs = 0;
  for (const header of rule.headerConfig?.add ?? []) {
    header.encryptedValue = "";
    if (header.secret) header.value = "";
  }
  return rule;
}

/**
 * `WEB_PRODUCTION_X_API_KEY` from its parts, unique among `taken` (`_2`, `_3` … after the
 * first). Never `SWITCHYARD_…` (those name settings) nor starting with a digit.
 */
function variableName(parts: readonly string[], taken: Set<string>): string {
  let base = parts
    .join("_")
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, "_");
  if (/^[0-9]/.test(base) || base.startsWith("SWITCHYARD_")) base = `SECRET_${base}`;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  taken.add(name);
  return name;
}
