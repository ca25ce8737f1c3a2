import type { ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { PROBLEM_CONTENT_TYPE, PROBLEMS, type ProblemCode, problemBody } from "@switchyard/policy";
import { endSocket, responseHead } from "./raw-response.js";

/**
 * Answers with the `application/problem+json` body of `code` (RFC 9457) and `x-request-id`.
 * `extra` are more header pairs (`allow`, `www-authenticate`). `close` asks Node to close the
 * connection after the response, for a request whose body will not be read (413). Returns
 * the status and the body's length.
 */
export function sendProblem(
  res: ServerResponse,
  code: ProblemCode,
  requestId: string,
  detail: string,
  extra?: readonly string[],
  close = false,
): ProblemSent {
  const { status, body, headers, bytes } = problem(code, requestId, detail);
  if (extra !== undefined) headers.push(...extra);
  if (close) headers.push("connection", "close");
  res.writeHead(status, headers);
  res.end(body);
  return { status, bytes };
}

/** What a problem answer sent: its status and its body's length in bytes (the access log's). */
export interface ProblemSent {
  readonly status: number;
  readonly bytes: number;
}

/**
 * The same answer written on a raw socket, for an `upgrade` request Node hands over before
 * any response object exists; the connection closes after it. Returns the status and the
 * body's length.
 */
export function writeProblem(
  socket: Duplex,
  code: ProblemCode,
  requestId: string,
  detail: string,
  extra?: readonly string[],
): ProblemSent {
  const { status, body, headers, bytes } = problem(code, requestId, detail);
  headers.push("connection", "close", ...(extra ?? []));
  endSocket(socket, responseHead(status, undefined, headers) + body);
  return { status, bytes };
}

/** The status, problem+json body and headers every problem the worker writes carries. */
function problem(code: ProblemCode, requestId: string, detail: string) {
  const { status } = PROBLEMS[code];
  const body = problemBody(code, { detail, requestId });
  const bytes = Buffer.byteLength(body);
  const headers = [
    "content-type",
    PROBLEM_CONTENT_TYPE,
    "content-length",
    String(bytes),
    "x-request-id",
    requestId,
    "cache-control",
    "no-store",
  ];
  return { status, body, headers, bytes };
}
