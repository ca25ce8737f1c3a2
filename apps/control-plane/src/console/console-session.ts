import { unauthenticated } from "../auth/authenticator.js";
import type { Keyring } from "../secrets/keyring.js";

/** The session cookie of the web console. */
export const SESSION_COOKIE = "switchyard_session";
/** A session lasts this long from sign-in; it is not extended by use. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** The header every cookie-authenticated request must carry (see {@link consoleRequestProblem}). */
export const CONSOLE_HEADER = "x-switchyard-console";

/** Sealed plaintexts start with this, so no other value the keyring seals can pass for a session. */
const PURPOSE = "switchyard-console-session:v1:";

/**
 * The console's sessions. A session is the API token it was opened with, sealed with the
 * keyring (AES-256-GCM) together with its expiry, in an HttpOnly cookie: nothing is kept on the
 * server, every control plane sharing the keyring accepts it, and deleting the token ends every
 * session opened with it, because each request authenticates the token again.
 */
export interface ConsoleSessions {
  /** The cookie value for a new session of `secret`, and when it expires. */
  seal(secret: string, now?: number): { value: string; expires: Date };
  /** The token a cookie value carries; undefined when it is not one of ours or has expired. */
  open(value: string, now?: number): { token: string; expires: Date } | undefined;
}

export function createConsoleSessions(keyring: Keyring): ConsoleSessions {
  return {
    seal(secret, now = Date.now()) {
      const expires = now + SESSION_TTL_MS;
      return {
        value: keyring.encrypt(PURPOSE + JSON.stringify({ secret, expires })),
        expires: new Date(expires),
      };
    },
    open(value, now = Date.now()) {
      let plain: string;
      try {
        plain = keyring.decrypt(value);
      } catch {
        return undefined; // forged, corrupted, or sealed with a key no longer in the ring
      }
      if (!plain.startsWith(PURPOSE)) return undefined;
      const session: unknown = JSON.parse(plain.slice(PURPOSE.length));
      if (!isSession(session) || session.expires <= now) return undefined;
      return { token: session.secret, expires: new Date(session.expires) };
    },
  };
}

function isSession(value: unknown): value is { secret: string; expires: number } {
  if (typeof value !== "object" || value === null) return false;
  const { secret, expires } = value as Record<string, unknown>;
  return typeof secret === "string" && typeof expires === "number";
}

/** The value of cookie `name` in a Cookie header (RFC 6265 §5.4), or undefined. */
export function cookieValue(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Why a request that relies on the session cookie must be refused as a possible cross-site
 * request forgery, or undefined when it may proceed. The cookie is SameSite=Strict; on top of
 * that the request must carry `X-Switchyard-Console: 1`, a header a page on another origin can
 * only send after a CORS preflight that this server never grants, and a browser's
 * `Sec-Fetch-Site`, when sent, must say the request came from this origin.
 */
export function consoleRequestProblem(header: (name: string) => string | null): string | undefined {
  if (header(CONSOLE_HEADER) !== "1") {
    return `a request authenticated by the console's session cookie must carry ${CONSOLE_HEADER}: 1`;
  }
  const site = header("sec-fetch-site");
  if (site !== null && site !== "same-origin") {
    return `the console's session cookie is refused on a ${site} request`;
  }
  return undefined;
}

/** The Set-Cookie header opening a session; Secure when the browser reached us over HTTPS. */
export function sessionCookie(value: string, expires: Date, secure: boolean): string {
  const maxAge = Math.max(0, Math.round((expires.getTime() - Date.now()) / 1000));
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

/** The Set-Cookie header ending the session. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

/**
 * For the auth interceptor: the API token a Connect call's session cookie carries, undefined
 * when it has no cookie. Unauthenticated when the call fails the forgery checks or the session
 * is not valid (expired, or sealed with a key no longer in the ring).
 */
export function sessionTokenReader(sessions: ConsoleSessions) {
  return (header: Headers): string | undefined => {
    const value = cookieValue(header.get("cookie"), SESSION_COOKIE);
    if (value === undefined) return undefined;
    const problem = consoleRequestProblem((name) => header.get(name));
    if (problem) throw unauthenticated(problem);
    const session = sessions.open(value);
    if (session === undefined) {
      throw unauthenticated("the console session has expired or is not valid; sign in again");
    }
    return session.token;
  };
}
