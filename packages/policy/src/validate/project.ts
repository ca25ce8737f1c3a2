import type { Alias, Project } from "@switchyard/api";
import { Violations } from "./field-checks.js";
import { validateRateLimit } from "./rate-limit.js";
import { checkResourceName } from "./resource-name.js";
import type { ValidationContext } from "./rule.js";
import { checkDescription } from "./text.js";
import type { Violation } from "./violation.js";

/**
 * A project: `name` DNS-label-like (1..63 of a-z, 0-9, "-"), `description` at most 1024
 * characters without control characters other than tab and line feed, `rate_limit` (when
 * set) as for rules. `ctx` is accepted for symmetry with
 * `validateRule` and not needed.
 */
export function validateProject(project: Project, _ctx?: ValidationContext): Violation[] {
  const out = new Violations();
  const name = checkResourceName(project.name);
  if (name !== undefined) out.add("project.name", name);
  const description = checkDescription(project.description);
  if (description !== undefined) out.add("project.description", description);
  if (project.rateLimit) out.addAll(validateRateLimit(project.rateLimit, "project.rate_limit"));
  return out.list;
}

/** An alias: `name` like a project's, `project_id` required. */
export function validateAlias(alias: Alias, _ctx?: ValidationContext): Violation[] {
  const out = new Violations();
  if (alias.projectId === "") out.add("alias.project_id", "is required");
  const name = checkResourceName(alias.name);
  if (name !== undefined) out.add("alias.name", name);
  return out.list;
}
