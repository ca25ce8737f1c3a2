import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { create, toBinary } from "@bufbuild/protobuf";
import { type ConfigSnapshot, ConfigSnapshotSchema, RuleSchema } from "@switchyard/api";
import { SnapshotEncoder } from "@switchyard/config-sync";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createWorkerLogger } from "../observe/logger.js";
import {
  decodeSnapshotFile,
  encodeSnapshotFile,
  readSnapshotFile,
  SNAPSHOT_FILE_NAME,
  SnapshotFileWriter,
} from "./snapshot-file.js";

const snapshot = (revision: bigint, rules = 3) =>
  create(ConfigSnapshotSchema, {
    revision,
    projects: [{ id: "p", name: "p" }],
    rules: Array.from({ length: rules }, (_, i) => ({
      id: `r${i}`,
      projectId: "p",
      pathPattern: `/r${i}/*`,
      targetUrl: "https://upstream.example/",
    })),
  });

/** A logger whose lines are kept for the test to read. */
function capturingLogger() {
  const lines: { level: string; msg: string; file?: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createWorkerLogger({ destination }), lines };
}

describe("snapshot file format", () => {
  const bytes = encodeSnapshotFile(snapshot(7n));

  it("round-trips a snapshot", () => {
    const decoded = decodeSnapshotFile(bytes);
    expect(decoded.ok).toBe(true);
    if (decoded.ok) expect(decoded.snapshot).toEqual(snapshot(7n));
  });

  it("encodes a changed snapshot as protobuf would, reusing the unchanged objects' bytes", () => {
    const encoder = new SnapshotEncoder();
    const first = snapshot(1n, 50);
    expect(encodeSnapshotFile(first, encoder)).toEqual(encodeSnapshotFile(first));
    const second = create(ConfigSnapshotSchema, {
      ...first,
      revision: 2n,
      rules: [
        ...first.rules.slice(1),
        create(RuleSchema, { id: "new", projectId: "p", pathPattern: "/n/*" }),
      ],
    });
    const decoded = decodeSnapshotFile(encodeSnapshotFile(second, encoder));
    expect(decoded.ok && decoded.snapshot).toEqual(second);
    expect(encodeSnapshotFile(second, encoder).subarray(48)).toEqual(
      Buffer.from(toBinary(ConfigSnapshotSchema, second)),
    );
  });

  it.each([
    {
      desc: "empty",
      file: () => Buffer.alloc(0),
      problem: /^truncated: 0 bytes, shorter than the 48-byte header$/,
    },
    {
      desc: "cut inside the header",
      file: () => bytes.subarray(0, 20),
      problem: /^truncated: 20 bytes/,
    },
    {
      desc: "cut inside the payload",
      file: () => bytes.subarray(0, bytes.length - 5),
      problem: /^truncated: \d+ of the \d+ bytes its header announces$/,
    },
    {
      desc: "with bytes appended",
      file: () => Buffer.concat([bytes, Buffer.from("x")]),
      problem: /^1 bytes more than the \d+ its header announces$/,
    },
    {
      desc: "with a flipped payload byte",
      file: () => flip(bytes, bytes.length - 3),
      problem: /^corrupt: the SHA-256 of its contents does not match its header$/,
    },
    {
      desc: "with a flipped digest byte",
      file: () => flip(bytes, 20),
      problem: /^corrupt: the SHA-256/,
    },
    {
      desc: "with the wrong magic",
      file: () => flip(bytes, 0),
      problem: /^not a worker snapshot file/,
    },
    {
      desc: "of another format version",
      file: () => withVersion(bytes, 2),
      problem: /^format version 2, this worker reads version 1$/,
    },
  ])("refuses a file $desc", ({ file, problem }) => {
    const decoded = decodeSnapshotFile(file());
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.problem).toMatch(problem);
  });
});

async function until(done: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function flip(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at]! ^ 0xff;
  return copy;
}

function withVersion(bytes: Buffer, version: number): Buffer {
  const copy = Buffer.from(bytes);
  copy.writeUInt32BE(version, 8);
  return copy;
}

describe("reading and writing the snapshot file", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "sy-snapshot-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("writes atomically and reads back the newest snapshot written", async () => {
    const { logger } = capturingLogger();
    const path = join(dir, "nested", SNAPSHOT_FILE_NAME);
    const writer = new SnapshotFileWriter(path, { logger });
    writer.write(snapshot(1n));
    await writer.flush();
    expect(await readSnapshotFile(path, logger)).toEqual(snapshot(1n));
    expect(writer.written).toBe(1n);
    // No temporary file is left beside it.
    expect(await readdir(join(dir, "nested"))).toEqual([SNAPSHOT_FILE_NAME]);
  });

  it("keeps at most one write in flight; the newest revision given meanwhile wins", async () => {
    const { logger } = capturingLogger();
    const path = join(dir, SNAPSHOT_FILE_NAME);
    const written: bigint[] = [];
    const writer = new SnapshotFileWriter(path, { logger, onWritten: (r) => written.push(r) });
    for (let revision = 1n; revision <= 50n; revision++) writer.write(snapshot(revision));
    await writer.flush();
    // Nothing starts within write(): the 50 given in one turn collapse into the newest.
    expect(written).toEqual([50n]);
    expect(await readSnapshotFile(path, logger)).toEqual(snapshot(50n));
    // Those given while a write runs collapse into the newest too.
    const during = new SnapshotFileWriter(path, {
      logger,
      delayMs: 0,
      onWritten: (r) => {
        written.push(r);
        if (r === 51n)
          for (let revision = 52n; revision <= 60n; revision++) during.write(snapshot(revision));
      },
    });
    during.write(snapshot(51n));
    await until(() => written.length === 3);
    await during.flush();
    expect(written).toEqual([50n, 51n, 60n]);
  });

  it("never encodes within write(): the file is written later, off the serving path", async () => {
    const { logger } = capturingLogger();
    const path = join(dir, SNAPSHOT_FILE_NAME);
    let encoded = 0;
    class CountingEncoder extends SnapshotEncoder {
      override encode(s: ConfigSnapshot): Uint8Array {
        encoded++;
        return super.encode(s);
      }
    }
    const written: bigint[] = [];
    const writer = new SnapshotFileWriter(path, {
      logger,
      encoder: new CountingEncoder(),
      delayMs: 0,
      onWritten: (r) => written.push(r),
    });
    writer.write(snapshot(1n));
    expect(encoded).toBe(0);
    await until(() => written.length === 1);
    expect(encoded).toBe(1);
  });

  it("waits delayMs after a write, so a burst of changes is written once, the newest", async () => {
    const { logger } = capturingLogger();
    const path = join(dir, SNAPSHOT_FILE_NAME);
    const written: bigint[] = [];
    const writer = new SnapshotFileWriter(path, {
      logger,
      delayMs: 150,
      onWritten: (r) => written.push(r),
    });
    const started = performance.now();
    writer.write(snapshot(1n));
    await new Promise((resolve) => setTimeout(resolve, 50));
    writer.write(snapshot(2n));
    expect(written).toEqual([]);
    await until(() => written.length === 1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(written).toEqual([2n]);
    expect(await readSnapshotFile(path, logger)).toEqual(snapshot(2n));
  });

  it("primes the encoder with the file read, so an unchanged snapshot is not re-encoded", async () => {
    const { logger } = capturingLogger();
    const path = join(dir, SNAPSHOT_FILE_NAME);
    const bytes = encodeSnapshotFile(snapshot(4n, 20));
    await writeFile(path, bytes);
    const encoder = new SnapshotEncoder();
    const read = await readSnapshotFile(path, logger, encoder);
    expect(read).toEqual(snapshot(4n, 20));
    // The payload itself comes back: a view into the file's bytes, not a new encoding.
    const again = encoder.encode(read as ConfigSnapshot);
    expect(Buffer.from(again)).toEqual(bytes.subarray(48));
  });

  it("answers undefined for a missing file, with an info line", async () => {
    const { logger, lines } = capturingLogger();
    const path = join(dir, SNAPSHOT_FILE_NAME);
    expect(await readSnapshotFile(path, logger)).toBeUndefined();
    expect(lines).toMatchObject([{ level: "info", msg: `no disk snapshot at ${path} yet` }]);
  });

  it("refuses a truncated file with one error line naming the file and the problem", async () => {
    const { logger, lines } = capturingLogger();
    const path = join(dir, SNAPSHOT_FILE_NAME);
    const bytes = encodeSnapshotFile(snapshot(3n, 100));
    await writeFile(path, bytes.subarray(0, bytes.length / 2));
    expect(await readSnapshotFile(path, logger)).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "error", file: path });
    expect(lines[0]?.msg).toMatch(
      new RegExp(`^disk snapshot ${path} is refused: truncated: \\d+ of the \\d+ bytes`),
    );
  });

  it("refuses a file with a flipped byte", async () => {
    const { logger, lines } = capturingLogger();
    const path = join(dir, SNAPSHOT_FILE_NAME);
    await writeFile(path, flip(encodeSnapshotFile(snapshot(3n)), 60));
    expect(await readSnapshotFile(path, logger)).toBeUndefined();
    expect(lines[0]?.msg).toBe(
      `disk snapshot ${path} is refused: corrupt: the SHA-256 of its contents does not match its header`,
    );
  });

  it("logs a write that fails and keeps the previous file", async () => {
    const { logger, lines } = capturingLogger();
    const path = join(dir, SNAPSHOT_FILE_NAME);
    const writer = new SnapshotFileWriter(path, { logger });
    writer.write(snapshot(1n));
    await writer.flush();
    // A directory where the temporary file goes makes the next write fail.
    await mkdir(`${path}.${process.pid}.tmp`);
    writer.write(snapshot(2n));
    await writer.flush();
    expect(writer.written).toBe(1n);
    expect(lines.at(-1)).toMatchObject({ level: "warn", file: path });
    expect(lines.at(-1)?.msg).toMatch(/cannot be written \(EISDIR\); the previous one stays$/);
    expect(await readFile(path)).toEqual(encodeSnapshotFile(snapshot(1n)));
  });
});
