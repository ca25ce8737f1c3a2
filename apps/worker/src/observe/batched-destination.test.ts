import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BatchedDestination } from "./batched-destination.js";

let dir: string | undefined;
let fd: number | undefined;
afterEach(() => {
  if (fd !== undefined) closeSync(fd);
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  fd = undefined;
  dir = undefined;
});

function openLog(): { fd: number; read: () => string } {
  dir = mkdtempSync(join(tmpdir(), "switchyard-log-"));
  const path = join(dir, "access.log");
  fd = openSync(path, "w");
  return { fd, read: () => readFileSync(path, "utf8") };
}

const flushed = (destination: BatchedDestination) =>
  new Promise<void>((resolve, reject) =>
    destination.flush((error) => (error ? reject(error) : resolve())),
  );

/** Polls `read` until it returns `expected`, or fails after `ms`. */
async function eventually(read: () => string, expected: string, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (read() !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(read()).toBe(expected);
}

describe("BatchedDestination", () => {
  it("writes lines in order, batched after the current turn", async () => {
    const log = openLog();
    const destination = new BatchedDestination({ fd: log.fd });
    destination.write("a\n");
    destination.write("b\n");
    expect(log.read()).toBe("");
    await new Promise((resolve) => setImmediate(resolve));
    destination.write("c\n");
    await flushed(destination);
    expect(log.read()).toBe("a\nb\nc\n");
  });

  it("writes a full batch at the end of the turn in which it filled", async () => {
    const log = openLog();
    const destination = new BatchedDestination({ fd: log.fd, batchChars: 4, maxDelayMs: 60_000 });
    destination.write("ab\n");
    destination.write("cd\n");
    destination.write("ef\n");
    expect(log.read()).toBe("");
    await eventually(log.read, "ab\ncd\nef\n");
  });

  it("writes a partial batch once maxDelayMs passed, not at the end of the turn", async () => {
    const log = openLog();
    const destination = new BatchedDestination({ fd: log.fd, maxDelayMs: 50 });
    const start = Date.now();
    destination.write("a\n");
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(log.read()).toBe("");
    await eventually(log.read, "a\n");
    expect(Date.now() - start).toBeGreaterThanOrEqual(45);
  });

  it("keeps UTF-8, order and lines longer than a chunk across chunks and batches", async () => {
    const log = openLog();
    const destination = new BatchedDestination({ fd: log.fd, batchChars: 100_000 });
    const long = `${"é".repeat(50_000)}\n`;
    const lines = ["a→b\n", long, "😀\n", long, "z\n"];
    for (const line of lines.slice(0, 3)) destination.write(line);
    await flushed(destination);
    for (const line of lines.slice(3)) destination.write(line);
    await flushed(destination);
    expect(log.read()).toBe(lines.join(""));
  });

  it("drops lines beyond the pending limit and says how many", async () => {
    const log = openLog();
    const destination = new BatchedDestination({ fd: log.fd, maxPendingChars: 4 });
    expect(destination.write("1\n")).toBe(true);
    expect(destination.write("2\n")).toBe(true);
    expect(destination.write("3\n")).toBe(false);
    await flushed(destination);
    const lines = log.read().trim().split("\n");
    expect(lines.slice(0, 2)).toEqual(["1", "2"]);
    expect(JSON.parse(lines[2] as string)).toMatchObject({ level: "warn", dropped: 1 });
  });

  it("writes everything pending at once with flushSync", () => {
    const log = openLog();
    const destination = new BatchedDestination({ fd: log.fd });
    destination.write("x\n");
    destination.flushSync();
    expect(log.read()).toBe("x\n");
  });

  it("calls back at once when nothing is pending", async () => {
    await flushed(new BatchedDestination({ fd: openLog().fd }));
  });
});
