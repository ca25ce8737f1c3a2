import { createContextKey } from "@connectrpc/connect";
import { Role, type Token } from "@switchyard/api";

/** Who is calling, as the auth interceptor established it. */
export interface Principal {
  /** Audit actor: `token:<id> (<name>)`, or `bootstrap-admin`. */
  readonly actor: string;
  readonly role: Role;
  /** Projects the caller may act on. Empty: every project. */
  readonly projectIds: readonly string[];
  /** The API token's id; unset for the bootstrap admin. */
  readonly tokenId?: string;
}

/** The holder of SWITCHYARD_ADMIN_TOKEN: an unscoped ADMIN. */
export const BOOTSTRAP_ADMIN: Principal = Object.freeze({
  actor: "bootstrap-admin",
  role: Role.ADMIN,
  projectIds: [],
});

export function principalOfToken(token: Token): Principal {
  return {
    actor: `token:${token.id} (${token.name})`,
    role: token.role,
    projectIds: token.projectIds,
    tokenId: token.id,
  };
}

/**
 * Context value set by the auth interceptor. Default: undefined, which
 * handlers treat as unauthenticated (deny by default when the interceptor
 * is missing).
 */
export const principalKey = createContextKey<Principal | undefined>(undefined, {
  description: "switchyard principal",
});
