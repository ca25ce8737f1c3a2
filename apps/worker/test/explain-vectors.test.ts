import { readFileSync } from "node:fs";
import { fromJson, type JsonObject } from "@bufbuild/protobuf";
import { ConfigSnapshotSchema } from "@switchyard/api";
import { explainRequest } from "@switchyard/matcher";
import { parseTargetPolicy, problemType } from "@switchyard/policy";
import { startUpstream, type Upstream } from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send } from "./support/client.js";
import { startTestWorker, type TestWorker } from "./support/harness.js";

interface MatchingCase {
  readonly host: string;
  readonly path: string;
  readonly expect: string | null;
  readonly note: string;
}

const vectors = JSON.parse(
  readFileSync(new URL("../../../test/vectors/matching.json", import.meta.url), "utf8"),
) as { snapshot: JsonObject; cases: MatchingCase[] };

/** The policy the test worker runs with (startTestWorker's settings). */
const targetPolicy = parseTargetPolicy({ allowHttp: true, allowPrivate: "127.0.0.0/8,::1/128" });

let upstream: Upstream;
let running: TestWorker;
let snapshot: ReturnType<typeof servedSnapshot>;

/**
 * The vector's snapshot with a target per rule, open to everyone, so that what the worker
 * forwards to names the rule: `/to-r1/…`; every other rule does not strip its prefix, and r4
 * puts its `:id` capture into the target path.
 */
function servedSnapshot() {
  const rules = (vectors.snapshot["rules"] as JsonObject[]).map((rule, index) => ({
    ...rule,
    target_url:
      rule["id"] === "r4" ? `${upstream.origin}/u/:id/p` : `${upstream.origin}/to-${rule["id"]}`,
    strip_prefix: index % 2 === 0,
    auth: { mode: "AUTH_MODE_UNAUTHENTICATED" },
  }));
  return fromJson(ConfigSnapshotSchema, { ...vectors.snapshot, revision: "7", rules });
}

beforeAll(async () => {
  upstream = await startUpstream();
  running = await startTestWorker();
  snapshot = servedSnapshot();
  await running.publish(snapshot);
});
afterAll(async () => {
  await running?.close();
  await upstream?.close();
});

describe("explain agrees with a running worker on every vector of test/vectors/matching.json", () => {
  it.each(vectors.cases)("$note: $host $path", async (c) => {
    const explained = explainRequest(snapshot, { host: c.host, target: c.path }, { targetPolicy });
    const res = await send(running.worker.proxyUrl, c.path, { headers: { host: c.host } });

    expect(explained.revision).toBe(7n);
    expect(explained.rule?.id ?? (c.expect === "unknown-host" ? "unknown-host" : null)).toBe(
      c.expect,
    );
    if (explained.outcome.kind === "forward") {
      expect(res.status).toBe(200);
      expect(`${upstream.origin}${res.json.url}`).toBe(explained.upstreamUrl);
    } else {
      expect(res.status).toBe(explained.outcome.status);
      expect(res.json.type).toBe(problemType(explained.outcome.code));
      expect(explained.upstreamUrl).toBeUndefined();
    }
  });
});
