import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { type Rule, RuleSchema, type RuleService } from "@switchyard/api";
import { assertValid, normaliseRule, validateRule, withRuleDefaults } from "@switchyard/policy";
import { principalOf, READERS, requireProject, requireRole, WRITERS } from "../auth/authorize.js";
import { maskRuleSecrets, sealRuleSecrets } from "../secrets/rule-secrets.js";
import type { ServiceDeps } from "./deps.js";
import { requireField } from "./errors.js";
import { RULE_UPDATABLE } from "./rule-input.js";
import { applyUpdateMask } from "./update-mask.js";
import { writeContext } from "./write-context.js";

/**
 * RuleService. Rules come in as the API shows them (secret values in plain
 * text, or the mask to keep a stored one) and leave masked; the store only
 * ever holds them sealed.
 */
export function ruleService({
  store,
  keyring,
  targetPolicy,
}: ServiceDeps): ServiceImpl<typeof RuleService> {
  /** Defaults, then the stored spelling (upper-case methods, lower-case header names), then validation. */
  const prepare = (rule: Rule): Rule => {
    const next = normaliseRule(withRuleDefaults(rule));
    assertValid(validateRule(next, { targetPolicy }));
    return next;
  };
  return {
    async createRule(req, context) {
      const principal = principalOf(context);
      requireRole(principal, WRITERS);
      const input = req.rule ?? create(RuleSchema);
      requireProject(principal, requireField("rule.project_id", input.projectId));
      const sealed = sealRuleSecrets(prepare(input), undefined, keyring);
      const rule = await store.rules.create(writeContext(principal, context), sealed);
      return { rule: maskRuleSecrets(rule) };
    },

    async getRule(req, context) {
      const principal = principalOf(context);
      requireRole(principal, READERS);
      const rule = await store.rules.get(requireField("id", req.id));
      requireProject(principal, rule.projectId);
      return { rule: maskRuleSecrets(rule) };
    },

    async listRules(req, context) {
      const principal = principalOf(context);
      requireRole(principal, READERS);
      const projectId = requireField("project_id", req.projectId);
      requireProject(principal, projectId);
      const page = await store.rules.list({
        projectId,
        aliasId: req.aliasId,
        pageSize: req.pageSize,
        pageToken: req.pageToken,
      });
      return { rules: page.items.map(maskRuleSecrets), nextPageToken: page.nextPageToken };
    },

    async updateRule(req, context) {
      const principal = principalOf(context);
      requireRole(principal, WRITERS);
      const patch = req.rule ?? create(RuleSchema);
      const id = requireField("rule.id", patch.id);
      const rule = await store.rules.update(
        writeContext(principal, context),
        id,
        patch.etag,
        (current) => {
          // Merge onto the rule as the caller saw it, so an untouched secret
          // header reads as the mask and is kept by sealing.
          const shown = maskRuleSecrets(current);
          const merged = applyUpdateMask(RuleSchema, shown, patch, req.updateMask, RULE_UPDATABLE);
          return sealRuleSecrets(prepare(merged), current, keyring);
        },
      );
      return { rule: maskRuleSecrets(rule) };
    },

    async deleteRule(req, context) {
      const principal = principalOf(context);
      requireRole(principal, WRITERS);
      const id = requireField("id", req.id);
      await store.rules.delete(writeContext(principal, context), id, { etag: req.etag });
      return {};
    },

    async reorderRules(req, context) {
      const principal = principalOf(context);
      requireRole(principal, WRITERS);
      const projectId = requireField("project_id", req.projectId);
      const rules = await store.rules.reorder(
        writeContext(principal, context),
        { projectId, aliasId: req.aliasId },
        req.ruleIds,
      );
      return { rules: rules.map(maskRuleSecrets) };
    },
  };
}
