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
