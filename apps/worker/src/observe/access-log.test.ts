import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { type AccessEntry, AccessLog, accessLogOf, millis } from "./access-log.js";
import { createWorkerLogger } from "./logger.js";

/** Collects every line written to it. */
class Lines extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void) {
    this.lines.push(chunk.toString("utf8"));
    done();
  }
}

const base: AccessEntry = {
  requestId: "3b241101-e2bb-4255-8caf-4136c566a962",
  rule: "r1",
  method: "GET",
  path: "/api/items/42",
  host: "api.example.com",
  client: "203.0.113.7",
  status: 200,
  durationMs: 1.234,
  bytesIn: 0,
  bytesOut: 1024,
};

/** The fields as a line written by logger.info carries them, time apart. */
const withoutTime = (line: string) => line.replace(/"time":\d+,/, "");

describe("AccessLog", () => {
  it.each([
    ["a forwarded request", base],
    ["no rule", { ...base, rule: null, status: 404, error: "SY_NO_RULE" }],
    [
      "a failure with a reason",
      { ...base, status: 502, error: "SY_UPSTREAM_RESET", reason: "socket hang up" },
    ],
    ["escapes in the path", { ...base, path: '/a"b\\c\u0001\u2028é' }],
    ["a reason with a newline", { ...base, status: 500, error: "SY_INTERNAL", reason: "a\nb" }],
    ["an empty method and path", { ...base, method: "", path: "", durationMs: 0 }],
    ["a whole duration", { ...base, durationMs: 12 }],
    ["no host, no client", { ...base, host: null, client: null }],
    ["a host to escape", { ...base, host: 'a"b' }],
    ["an IPv6 client and a body cut short", { ...base, client: "::1", bytesIn: null }],
    ["bytes both ways", { ...base, bytesIn: 5_000_000, bytesOut: 0 }],
    ["a microsecond", { ...base, durationMs: 0.001 }],
    ["tenths", { ...base, durationMs: 0.1 }],
    ["hundredths", { ...base, durationMs: 7.05 }],
    ["a thousandth past a whole", { ...base, durationMs: 3.001 }],
    ["a long duration", { ...base, durationMs: 123456.789 }],
    ["a duration finer than a microsecond", { ...base, durationMs: 1.2345 }],
  ])("writes what pino writes: %s", (_, entry: AccessEntry) => {
    const fast = new Lines();
    new AccessLog(createWorkerLogger({ destination: fast })).write(entry);
    const slow = new Lines();
    const { requestId, rule, method, path, host, client, status, durationMs } = entry;
    const { bytesIn, bytesOut, error, reason } = entry;
    createWorkerLogger({ destination: slow }).info(
      {
        requestId,
        rule,
        method,
        path,
        host,
        client,
        status,
        durationMs,
        bytesIn,
        bytesOut,
        error,
        reason,
      },
      "request",
    );
    expect(fast.lines).toHaveLength(1);
    expect(withoutTime(fast.lines[0] as string)).toBe(withoutTime(slow.lines[0] as string));
    expect(JSON.parse(fast.lines[0] as string)).toMatchObject({ time: expect.any(Number) });
  });

  it("escapes a lone surrogate, so the line stays valid UTF-8 JSON", () => {
    // pino writes one raw in strings under 42 characters; the bytes are then not UTF-8.
    const lines = new Lines();
    new AccessLog(createWorkerLogger({ destination: lines })).write({ ...base, path: "/x\ud800y" });
    expect(lines.lines[0]).toContain('"path":"/x\\ud800y"');
    expect(JSON.parse(lines.lines[0] as string)).toMatchObject({ path: "/x\ud800y" });
  });

  it("writes nothing when the level is above info", () => {
    const lines = new Lines();
    new AccessLog(createWorkerLogger({ level: "warn", destination: lines })).write(base);
    expect(lines.lines).toEqual([]);
  });

  it("follows a level changed after it was made", () => {
    const lines = new Lines();
    const logger = createWorkerLogger({ level: "info", destination: lines });
    const log = accessLogOf(logger);
    logger.level = "error";
    log.write(base);
    logger.level = "info";
    log.write(base);
    expect(lines.lines).toHaveLength(1);
  });

  it("goes through logger.info for a logger it did not make", () => {
    const lines = new Lines();
    const logger = pino({ base: { app: "other" } }, lines);
    new AccessLog(logger).write(base);
    expect(JSON.parse(lines.lines[0] as string)).toMatchObject({
      level: 30,
      app: "other",
      requestId: base.requestId,
      msg: "request",
    });
  });

  it("is made once per logger", () => {
    const logger = createWorkerLogger({ destination: new Lines() });
    expect(accessLogOf(logger)).toBe(accessLogOf(logger));
  });

  it("prints every whole number of microseconds as JavaScript does", () => {
    for (let micros = 0; micros < 200_000; micros++) {
      const durationMs = Math.round(micros) / 1000;
      if (millis(durationMs) !== String(durationMs))
        expect(millis(durationMs)).toBe(String(durationMs));
    }
    for (const durationMs of [1.2345, 1e-7, 86_400_000.5, 2 ** 53]) {
      expect(millis(durationMs)).toBe(String(durationMs));
    }
  });
});
