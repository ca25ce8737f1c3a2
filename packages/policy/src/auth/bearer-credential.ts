/**
 * The credential of a request, read from Node's `rawHeaders` (RFC 6750 §2.1, §2.2):
 * `Authorization: Bearer <token>`, or, on a rule that names a session cookie, that cookie.
 */
import { readCookie } from "./cookie-header.js";

/** What a request presents. */
export type Credential =
  /** Nothing: RFC 6750 §3.1 says the 401 then carries no error code. */
  | { readonly kind: "none" }
  /** A bearer token, from the Authorization header or the rule's cookie. */
  | { readonly kind: "bearer"; readonly token: string; readonly from: "header" | "cookie" }
  /** Authorization present but not one well-formed Bearer credential. */
  | { readonly kind: "malformed"; readonly reason: string };

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
// RFC 9110 §11.1: the auth-scheme is case-insensitive; one or more spaces follow it.
const BEARER = /^bearer +/i;

/**
 * The request's credential. The Authorization header wins over the cookie, so a client that
 * sends both is judged on what it put in the header; more than one Authorization field line
 * is malformed (RFC 9110 §11.6.2 allows one credential). A scheme other than Bearer counts as
 * malformed, not absent: the client meant to authenticate.
 */
export function readCredential(
  rawHeaders: readonly string[],
  cookieName: string | undefined,
): Credential {
  let authorization: string | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length !== 13 || name.toLowerCase() !== "authorization") continue;
    if (authorization !== undefined) {
      return { kind: "malformed", reason: "more than one Authorization header" };
    }
    authorization = rawHeaders[i + 1] as string;
  }
  if (authorization !== undefined) {
    const value = authorization.trim();
    const scheme = BEARER.exec(value);
    if (scheme === null) {
      return { kind: "malformed", reason: "the Authorization header is not a Bearer credential" };
    }
    const token = value.slice(scheme[0].length);
    if (!B64TOKEN.test(token)) {
      return { kind: "malformed", reason: "the bearer token is not a b64token (RFC 6750 §2.1)" };
    }
    return { kind: "bearer", token, from: "header" };
  }
  if (cookieName !== undefined) {
    const token = readCookie(rawHeaders, cookieName);
    if (token !== undefined && token !== "") return { kind: "bearer", token, from: "cookie" };
  }
  return { kind: "none" };
}
