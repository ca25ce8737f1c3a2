import { Role, type Token } from "@switchyard/api";
import { Violations } from "./field-checks.js";
import { characterCount, MAX_TOKEN_NAME_LENGTH } from "./limits.js";
import type { ValidationContext } from "./rule.js";
import { checkText } from "./text.js";
import type { Violation } from "./violation.js";

const ROLES: ReadonlySet<number> = new Set([Role.ADMIN, Role.EDITOR, Role.VIEWER]);

/**
 * A token to create: `name` 1..100 characters of one-line text (`checkText`), a `role` other
 * than ROLE_UNSPECIFIED, and `project_ids` (empty = every project) non-empty and distinct.
 */
export function validateTokenInput(token: Token, _ctx?: ValidationContext): Violation[] {
  const out = new Violations();
  if (token.name.trim() === "") out.add("token.name", "is required");
  else if (characterCount(token.name) > MAX_TOKEN_NAME_LENGTH) {
    out.add("token.name", `must be at most ${MAX_TOKEN_NAME_LENGTH} characters`);
  } else {
    const problem = checkText(token.name);
    if (problem !== undefined) out.add("token.name", problem);
  }
  if (token.role === Role.UNSPECIFIED) {
    out.add("token.role", "is required: ROLE_ADMIN, ROLE_EDITOR or ROLE_VIEWER");
  } else if (!ROLES.has(token.role)) {
    out.add(
      "token.role",
      `${token.role} is not a role; use ROLE_ADMIN, ROLE_EDITOR or ROLE_VIEWER`,
    );
  }
  const seen = new Map<string, number>();
  token.projectIds.forEach((id, i) => {
    const field = `token.project_ids[${i}]`;
    if (id.trim() === "") {
      out.add(field, "must not be empty");
      return;
    }
    const first = seen.get(id);
    if (first !== undefined) out.add(field, `repeats "${id}" (token.project_ids[${first}])`);
    else seen.set(id, i);
  });
  return out.list;
}
