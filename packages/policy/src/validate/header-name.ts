import { isHeaderName } from "../headers/header-names.js";
import { MAX_TOKEN_LENGTH } from "./limits.js";

const TCHARS = "letters, digits and !#$%&'*+-.^_`|~";

/** Why `name` is not a header field name (RFC 9110 §5.1: a token), or undefined. */
export function checkHeaderName(name: string): string | undefined {
  if (name === "") return "must not be empty";
  if (name.length > MAX_TOKEN_LENGTH) return `must be at most ${MAX_TOKEN_LENGTH} characters`;
  if (!isHeaderName(name)) return `"${name}" is not a header name (RFC 9110 token: ${TCHARS})`;
  return undefined;
}

/** Why `method` is not a method name (RFC 9110 §9.1: a token, like a field name), or undefined. */
export function checkMethodName(method: string): string | undefined {
  if (method === "") return "must not be empty";
  if (method.length > MAX_TOKEN_LENGTH) return `must be at most ${MAX_TOKEN_LENGTH} characters`;
  if (!isHeaderName(method)) return `"${method}" is not a method name (RFC 9110 token: ${TCHARS})`;
  return undefined;
}
