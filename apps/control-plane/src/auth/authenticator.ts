import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "pino";
import type { TokenStore } from "../store/tokens.js";
import { createLastUsedStamper } from "./last-used.js";
import { BOOTSTRAP_ADMIN, type Principal, principalOfToken } from "./principal.js";
import { hashTokenSecret, secretsEqual, TOKEN_SECRET_PREFIX } from "./token-secret.js";

/** Options of {@link createAuthenticator}. */
export interface AuthenticatorOptions {
  store: { tokens: Pick<TokenStore, "findBySecretHash" | "markUsed"> };
  /** SWITCHYARD_ADMIN_TOKEN: accepted as an unscoped ADMIN. Unset or empty: none. */
  adminToken?: string;
  logger?: Pick<Logger, "warn" | "error">;
}

/**
 * Resolves an API token's secret to its principal: the bootstrap admin token, or a stored
 * token looked up by the hash of its secret (its last use is recorded). Unknown or deleted
 * tokens are Unauthenticated; a store that does not answer is Unavailable.
 */
export type Authenticator = (secret: string) => Promise<Principal>;

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { store, logger } = options;
  const adminToken = options.adminToken || undefined;
  const stamp = createLastUsedStamper(store.tokens, (err) =>
    logger?.warn({ err }, "could not record token use"),
  );
  return async (secret) => {
    if (adminToken !== undefined && secretsEqual(secret, adminToken)) return BOOTSTRAP_ADMIN;
    if (secret.startsWith(TOKEN_SECRET_PREFIX)) {
      const token = await store.tokens.findBySecretHash(hashTokenSecret(secret)).catch((err) => {
        logger?.error({ err }, "token lookup failed");
        throw new ConnectError("authorization: token lookup failed", Code.Unavailable);
      });
      if (token) {
        stamp(token.id);
        return principalOfToken(token);
      }
    }
    throw unauthenticated("invalid or deleted token");
  };
}

export const unauthenticated = (message: string) =>
  new ConnectError(`authorization: ${message}`, Code.Unauthenticated);
