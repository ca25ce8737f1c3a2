import { create } from "@bufbuild/protobuf";
import {
  AliasSchema,
  type ConfigDocument,
  DomainSchema,
  ProjectSchema,
  type Rule,
} from "@switchyard/api";
import {
  normaliseHost,
  type ValidationContext,
  type Violation,
  validateAlias,
  validateDomain,
  validateProject,
  validateRule,
} from "@switchyard/policy";

/**
 * A stand-in for the id of a project a document names: the API's validation wants one,
 * and a document's objects get theirs from the server.
 */
const PENDING_ID = "pending";

/**
 * Every reason `doc` cannot be applied, with `field` as the document names it
 * (`projects[0].aliases[1].rules[2].target_url`). The server runs this on every apply and
 * the CLI's `validate` runs it offline: each object goes through the same validation as
 * the API's Create and Update calls, plus what only a document can get wrong (a name
 * declared twice, a domain naming an alias the project does not declare, fields a
 * document leaves to the server).
 */
export function validateDocument(doc: ConfigDocument, ctx: ValidationContext = {}): Violation[] {
  const out: Violation[] = [];
  const add = (field: string, message: string) => out.push({ field, message });
  const under = (prefix: string, kind: string, violations: readonly Violation[]) => {
    for (const v of violations) {
      if (v.field === `${kind}.project_id`) continue;
      add(v.field.replace(`${kind}.`, `${prefix}.`), v.message);
    }
  };
  const projects = new Set<string>();
  const hosts = new Set<string>();

  doc.projects.forEach((spec, i) => {
    const at = `projects[${i}]`;
    if (projects.has(spec.name) && spec.name !== "") {
      add(`${at}.name`, `project "${spec.name}" is declared more than once`);
    } else {
      projects.add(spec.name);
    }
    under(
      at,
      "project",
      validateProject(
        create(ProjectSchema, {
          name: spec.name,
          description: spec.description,
          rateLimit: spec.rateLimit,
        }),
      ),
    );

    const aliases = new Map<string, number>();
    spec.aliases.forEach((alias, j) => {
      const aliasAt = `${at}.aliases[${j}]`;
      const earlier = aliases.get(alias.name);
      if (earlier !== undefined && alias.name !== "") {
        add(
          `${aliasAt}.name`,
          `alias "${alias.name}" is already declared at ${at}.aliases[${earlier}]`,
        );
      } else {
        aliases.set(alias.name, j);
      }
      under(
        aliasAt,
        "alias",
        validateAlias(create(AliasSchema, { projectId: PENDING_ID, name: alias.name })),
      );
      for (const [k, rule] of alias.rules.entries()) checkRule(rule, `${aliasAt}.rules[${k}]`);
    });

    spec.domains.forEach((domain, j) => {
      const domainAt = `${at}.domains[${j}]`;
      under(
        domainAt,
        "domain",
        validateDomain(create(DomainSchema, { projectId: PENDING_ID, host: domain.host })),
      );
      const host = normaliseHost(domain.host);
      if (hosts.has(host) && domain.host !== "") {
        add(`${domainAt}.host`, `host "${domain.host}" is declared more than once`);
      } else {
        hosts.add(host);
      }
      if (domain.alias !== "" && !aliases.has(domain.alias)) {
        const declared = [...aliases.keys()].join(", ") || "none";
        add(
          `${domainAt}.alias`,
          `project "${spec.name}" declares no alias "${domain.alias}" (declared: ${declared})`,
        );
      }
    });

    for (const [k, rule] of spec.rules.entries()) checkRule(rule, `${at}.rules[${k}]`);
  });
  return out;

  function checkRule(rule: Rule, at: string): void {
    for (const [field, set] of leftOutFieldsSet(rule)) {
      if (set) add(`${at}.${field}`, "is not part of a document: the server assigns it");
    }
    under(at, "rule", validateRule({ ...rule, projectId: PENDING_ID }, ctx));
  }
}

/** API fields a rule in a document must leave unset (an SDK could set them). */
function leftOutFieldsSet(rule: Rule): [string, boolean][] {
  return [
    ["id", rule.id !== ""],
    ["project_id", rule.projectId !== ""],
    ["alias_id", rule.aliasId !== ""],
    ["order", rule.order !== undefined],
    ["etag", rule.etag !== ""],
    ["create_time", rule.createTime !== undefined],
    ["update_time", rule.updateTime !== undefined],
    [
      "header_config.add.encrypted_value",
      rule.headerConfig?.add.some((h) => h.encryptedValue !== "") ?? false,
    ],
  ];
}
