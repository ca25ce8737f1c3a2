import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type AccessEntry, formatAccessLine } from "./access-log.js";
import { BatchedDestination, type BatchedDestinationOptions } from "./batched-destination.js";

/** The built module, as a process of its own loads it (the package's tests run after its build). */
const built = new URL("../../dist/observe/batched-destination.js", import.meta.url).href;

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

const entry: AccessEntry = {
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

const destinations: BatchedDestination[] = [];
/** A destination writing to a new log file, its writer thread stopped after the test. */
function destinationOf(log: { fd: number }, options: BatchedDestinationOptions = {}) {
  const destination = new BatchedDestination({ fd: log.fd, ...options });
  destinations.push(destination);
  return destination;
}
afterEach(async () => {
  await Promise.all(destinations.splice(0).map((destination) => destination.close()));
});

describe("BatchedDestination", () => {
  it("writes lines in order, on its own thread, not on the caller's turn", async () => {
    const log = openLog();
    const destination = destinationOf(log);
    destination.write("a\n");
    destination.write("b\n");
    expect(log.read()).toBe("");
    await new Promise((resolve) => setImmediate(resolve));
    destination.write("c\n");
    await flushed(destination);
    expect(log.read()).toBe("a\nb\nc\n");
  });

  it("writes a full batch without waiting for its delay", async () => {
    const log = openLog();
    const destination = destinationOf(log, { batchBytes: 64, maxDelayMs: 60_000 });
    destination.write("ab\n");
    destination.write("cd\n");
    destination.write("ef\n");
    await eventually(log.read, "ab\ncd\nef\n");
  });

  it("writes a partial batch once maxDelayMs passed", async () => {
    const log = openLog();
    const destination = destinationOf(log, { maxDelayMs: 50 });
    destination.write("a\n");
    await eventually(log.read, "a\n");
  });

  it("keeps UTF-8, lone surrogates escaped, order, and lines longer than a batch", async () => {
    const log = openLog();
    const destination = destinationOf(log, { batchBytes: 1024 });
    const long = `${"é".repeat(50_000)}\n`;
    const lines = ["a→b\n", long, "😀\n", long, "z\n"];
    for (const line of lines.slice(0, 3)) destination.write(line);
    await flushed(destination);
    for (const line of lines.slice(3)) destination.write(line);
    await flushed(destination);
    expect(log.read()).toBe(lines.join(""));
  });

  it("builds access lines on its thread as AccessLog builds them", async () => {
    const log = openLog();
    const destination = destinationOf(log);
    const entries: AccessEntry[] = [
      entry,
      { ...entry, rule: null, host: null, client: null, bytesIn: null, error: "SY_NO_RULE" },
      { ...entry, path: '/a"b\\c\u0001\ud800é', reason: "a\nb", error: "" },
      { ...entry, method: "", path: "", durationMs: 0, status: 599 },
    ];
    const time = Date.now();
    for (const each of entries) destination.writeAccess(each, time);
    await flushed(destination);
    const expected = entries.map((each) => formatAccessLine(each, String(time))).join("");
    expect(log.read()).toBe(expected);
    for (const line of log.read().trim().split("\n")) expect(() => JSON.parse(line)).not.toThrow();
  });

  it("goes round the ring many times without losing or reordering a line", async () => {
    const log = openLog();
    // A small ring, so records wrap round it and meet its end at every offset.
    const destination = destinationOf(log, { ringBytes: 4096, batchBytes: 1024 });
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const line = `${i}:${"x".repeat(i % 97)}\n`;
      lines.push(line);
      // Waits for room when the ring is full: this test is about order, not dropping.
      while (!destination.write(line)) await flushed(destination);
    }
    await flushed(destination);
    // A write refused for room is reported dropped; it was written again.
    const kept = log
      .read()
      .split(/(?<=\n)/)
      .filter((line) => !line.includes('"dropped"'));
    expect(kept.join("")).toBe(lines.join(""));
  });

  it("drops lines that do not fit and says how many", async () => {
    const log = openLog();
    const destination = destinationOf(log, { ringBytes: 1024, maxDelayMs: 60_000 });
    const line = `${"y".repeat(200)}\n`;
    let written = 0;
    while (destination.write(line)) written++;
    expect(destination.write(line)).toBe(false);
    await flushed(destination);
    const lines = log.read().trim().split("\n");
    expect(lines.slice(0, written)).toEqual(Array(written).fill(line.trim()));
    expect(JSON.parse(lines[written] as string)).toMatchObject({ level: "warn", dropped: 2 });
    // Room again once written.
    expect(destination.write("after\n")).toBe(true);
  });

  it("writes everything pending at once with flushSync", () => {
    const log = openLog();
    const destination = destinationOf(log, { maxDelayMs: 60_000 });
    destination.write("x\n");
    destination.writeAccess(entry, 1);
    destination.flushSync();
    expect(log.read()).toBe(`x\n${formatAccessLine(entry, "1")}`);
  });

  it.each([
    ["ends on its own", ""],
    ["calls process.exit()", "process.exit(3);"],
  ])("writes what is pending when the process %s", (_, ending) => {
    const log = openLog();
    const script = `
      import { BatchedDestination } from ${JSON.stringify(built)};
      const destination = new BatchedDestination({ fd: ${log.fd}, maxDelayMs: 60000 });
      destination.write("last words\\n");
      ${ending}`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "inherit", "inherit", ...Array(log.fd - 2).fill("inherit")],
    });
    expect(child.status).toBe(ending === "" ? 0 : 3);
    expect(log.read()).toBe("last words\n");
  });

  it("calls back when nothing is pending", async () => {
    await flushed(destinationOf(openLog()));
  });

  it("reports a failed write to the flush that waits for it", async () => {
    const log = openLog();
    const destination = destinationOf({ fd: 987_654 });
    destination.write("lost\n");
    await expect(flushed(destination)).rejects.toThrow(/EBADF|bad file/i);
    expect(log.read()).toBe("");
  });
});
