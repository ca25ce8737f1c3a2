import type { Interceptor } from "@connectrpc/connect";
import {
  type Authenticator,
  type AuthenticatorOptions,
  createAuthenticator,
  unauthenticated,
} from "./authenticator.js";
import { principalKey } from "./principal.js";

/** Options of `createAuthInterceptor`. */
export interface AuthInterceptorOptions extends AuthenticatorOptions {
  /** Services callable without a token. Default: `grpc.health.v1.Health` only. */
  publicServices?: readonly string[];
  /**
   * The web console's sessions: given a request's headers, the API token its session cookie
   * carries, or undefined when it has none. Throws (Unauthenticated) when the cookie is there
   * but the request fails the console's forgery checks. Used only for calls without an
   * Authorization header. Default: no sessions.
   */
  sessionToken?: (header: Headers) => string | undefined;
  /** Default: one made from `store`, `adminToken` and `logger`. */
  authenticate?: Authenticator;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i; // RFC 6750 §2.1; scheme is case-insensitive (RFC 9110 §11.1)

/**
 * Authenticates every call with `Authorization: Bearer <token>`, or else the web console's
 * session cookie, and puts the caller in the context (`principalKey`). A missing, malformed,
 * unknown or deleted token is Unauthenticated; roles and scopes are checked by handlers.
 */
export function createAuthInterceptor(options: AuthInterceptorOptions): Interceptor {
  const authenticate = options.authenticate ?? createAuthenticator(options);
  const publicServices = new Set(options.publicServices ?? ["grpc.health.v1.Health"]);

  function secretOf(header: Headers): string {
    const authorization = header.get("authorization");
    if (authorization === null || authorization.trim() === "") {
      const session = options.sessionToken?.(header);
      if (session !== undefined) return session;
      throw unauthenticated("missing bearer token; send Authorization: Bearer <token>");
    }
    const secret = BEARER.exec(authorization)?.[1];
    if (secret === undefined) throw unauthenticated("expected Authorization: Bearer <token>");
    return secret;
  }

  return (next) => async (req) => {
    if (!publicServices.has(req.service.typeName)) {
      req.contextValues.set(principalKey, await authenticate(secretOf(req.header)));
    }
    return next(req);
  };
}
