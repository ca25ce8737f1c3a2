import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";
import type { TokenStore } from "../store/tokens.js";
import { createLastUsedStamper } from "./last-used.js";
import { BOOTSTRAP_ADMIN, type Principal, principalKey, principalOfToken } from "./principal.js";
import { hashTokenSecret, secretsEqual, TOKEN_SECRET_PREFIX } from "./token-secret.js";

/** Options of `createAuthInterceptor`. */
export interface AuthInterceptorOptions {
  store: { tokens: Pick<TokenStore, "findBySecretHash" | "markUsed"> };
  /** SWITCHYARD_ADMIN_TOKEN: accepted as an unscoped ADMIN. Unset or empty: none. */
  adminToken?: string;
  /** Services callable without a token. Default: `grpc.health.v1.Health` only. */
  publicServices?: readonly string[];
  logger?: Pick<Logger, "warn" | "error">;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i; // RFC 6750 §2.1; scheme is case-insensitive (RFC 9110 §11.1)

/**
 * Authenticates every call with `Authorization: Bearer <token>` and puts the
 * caller in the context (`principalKey`). A missing, malformed, unknown or
 * deleted token is Unauthenticated; roles and scopes are checked by handlers.
 */
export function createAuthInterceptor(options: AuthInterceptorOptions): Interceptor {
  const { store, logger } = options;
  const adminToken = options.adminToken || undefined;
  const publicServices = new Set(options.publicServices ?? ["grpc.health.v1.Health"]);
  const stamp = createLastUsedStamper(store.tokens, (err) =>
    logger?.warn({ err }, "could not record token use"),
  );

  async function authenticate(header: string | null): Promise<Principal> {
    if (header === null || header.trim() === "") {
      throw unauthenticated("missing bearer token; send Authorization: Bearer <token>");
    }
    const secret = BEARER.exec(header)?.[1];
    if (secret === undefined) throw unauthenticated("expected Authorization: Bearer <token>");
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
  }

  return (next) => async (req) => {
    if (!publicServices.has(req.service.typeName)) {
      req.contextValues.set(principalKey, await authenticate(req.header.get("authorization")));
    }
    return next(req);
  };
}

const unauthenticated = (message: string) =>
  new ConnectError(`authorization: ${message}`, Code.Unauthenticated);
