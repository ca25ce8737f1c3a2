import { PROBLEM_TYPE_BASE, PROBLEMS, type ProblemCode } from "./problem-codes.js";

export interface ProblemDetails {
  /** What went wrong for this request, for a person; never a secret or a blocked address. */
  readonly detail: string;
  /** The request's id, also sent as `x-request-id`. */
  readonly requestId: string;
  /** A URI for this occurrence (RFC 9457 §3.1.5); left out when not given. */
  readonly instance?: string;
}

// `{"type":…,"title":…,"status":…,"detail":` per code, serialised once.
const PREFIX = Object.fromEntries(
  Object.entries(PROBLEMS).map(([code, { slug, title, status }]) => {
    const head = JSON.stringify({ type: PROBLEM_TYPE_BASE + slug, title, status });
    return [code, `${head.slice(0, -1)},"detail":`];
  }),
) as Record<ProblemCode, string>;

/**
 * The `application/problem+json` body (RFC 9457) of a proxy error:
 * `{type, title, status, detail, instance?, request_id}`. Only `detail`, `instance` and
 * `request_id` are serialised per call; the rest is precomputed per code.
 */
export function problemBody(code: ProblemCode, details: ProblemDetails): string {
  const instance =
    details.instance === undefined ? "" : `,"instance":${JSON.stringify(details.instance)}`;
  return `${PREFIX[code]}${JSON.stringify(details.detail)}${instance},"request_id":${JSON.stringify(details.requestId)}}`;
}
