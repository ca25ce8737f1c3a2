import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { Role } from "@switchyard/api";
import { type Principal, principalKey } from "./principal.js";

/** Roles that may read projects, aliases, domains and rules. */
export const READERS: readonly Role[] = [Role.ADMIN, Role.EDITOR, Role.VIEWER];
/** Roles that may change them. */
export const WRITERS: readonly Role[] = [Role.ADMIN, Role.EDITOR];

/** The caller, or Unauthenticated when no principal was established. */
export function principalOf(context: HandlerContext): Principal {
  const principal = context.values.get(principalKey);
  if (!principal) {
    throw new ConnectError("authorization: missing bearer token", Code.Unauthenticated);
  }
  return principal;
}

/** PermissionDenied unless the caller's role is one of `roles`. */
export function requireRole(principal: Principal, roles: readonly Role[]): void {
  if (!roles.includes(principal.role)) {
    const wanted = roles.map((r) => Role[r]).join(" or ");
    throw new ConnectError(
      `permission denied: needs role ${wanted}; the caller has ${Role[principal.role] ?? "none"}`,
      Code.PermissionDenied,
    );
  }
}

/** PermissionDenied unless the caller may act on `projectId`. */
export function requireProject(principal: Principal, projectId: string): void {
  if (principal.projectIds.length > 0 && !principal.projectIds.includes(projectId)) {
    throw new ConnectError(
      `permission denied: the caller's token is not scoped to project "${projectId}"`,
      Code.PermissionDenied,
    );
  }
}

/** PermissionDenied for a token scoped to projects (tokens, audit, new projects). */
export function requireUnscoped(principal: Principal): void {
  if (principal.projectIds.length > 0) {
    throw new ConnectError(
      "permission denied: needs a token without a project scope",
      Code.PermissionDenied,
    );
  }
}

/** The projects a list may show the caller: undefined means all. */
export function visibleProjects(principal: Principal): readonly string[] | undefined {
  return principal.projectIds.length > 0 ? principal.projectIds : undefined;
}
