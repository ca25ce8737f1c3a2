import { expect } from "vitest";

/** A response as the raw-socket helpers return it: lower-cased header names, body text. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Asserts that `res` is the worker's own problem answer (RFC 9457): `status`, the
 * `application/problem+json` body of `slug` whose `request_id` is the `x-request-id` header.
 * Returns the parsed body.
 */
export function expectRawProblem(res: RawAnswer, status: number, slug: string) {
  expect(res.status).toBe(status);
  expect(res.headers["content-type"]).toBe("application/problem+json");
  const requestId = res.headers["x-request-id"];
  expect(requestId).toBeTruthy();
  const json = JSON.parse(res.body) as Record<string, unknown>;
  expect(json).toMatchObject({
    type: `https://switchyard.dev/problems/${slug}`,
    status,
    request_id: requestId,
  });
  expect(typeof json["detail"]).toBe("string");
  return json;
}

/** A request id the worker generated: a random UUID. */
export const GENERATED_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
