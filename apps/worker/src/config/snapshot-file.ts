import { createHash } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { type ConfigSnapshot, ConfigSnapshotSchema } from "@switchyard/api";
import { SnapshotEncoder } from "@switchyard/config-sync";
import type { Logger } from "../observe/logger.js";

/** The worker's last good snapshot, in `SWITCHYARD_DATA_DIR`. */
export const SNAPSHOT_FILE_NAME = "worker-snapshot.bin";

/**
 * The file is a 48-byte header then the snapshot as protobuf binary:
 * `SWYDSNAP` (8 bytes), format version (uint32 BE, 1), payload length (uint32 BE),
 * SHA-256 of the payload (32 bytes). The length and digest catch a file cut short by a crash
 * or a full disk, and any flipped byte, before a single rule of it is served.
 */
const MAGIC = Buffer.from("SWYDSNAP", "latin1");
const FORMAT_VERSION = 1;
const HEADER_BYTES = MAGIC.length + 4 + 4 + 32;

/** The file's bytes for `snapshot`; `encoder` (default a new one) reuses its cached rules. */
export function encodeSnapshotFile(
  snapshot: ConfigSnapshot,
  encoder: SnapshotEncoder = new SnapshotEncoder(),
): Buffer {
  const payload = encoder.encode(snapshot);
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32BE(FORMAT_VERSION, 8);
  header.writeUInt32BE(payload.length, 12);
  createHash("sha256").update(payload).digest().copy(header, 16);
  return Buffer.concat([header, payload]);
}

/** A decoded file, or what is wrong with it (a phrase that completes "… is refused: "). */
export type DecodedSnapshotFile =
  | { readonly ok: true; readonly snapshot: ConfigSnapshot; readonly payload: Uint8Array }
  | { readonly ok: false; readonly problem: string };

/** Checks and decodes the file's bytes; never returns part of a snapshot. */
export function decodeSnapshotFile(bytes: Uint8Array): DecodedSnapshotFile {
  const file = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (file.length < HEADER_BYTES) {
    return fail(`truncated: ${file.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  }
  if (!file.subarray(0, MAGIC.length).equals(MAGIC)) {
    return fail(
      `not a worker snapshot file (it does not start with "${MAGIC.toString("latin1")}")`,
    );
  }
  const version = file.readUInt32BE(8);
  if (version !== FORMAT_VERSION) {
    return fail(`format version ${version}, this worker reads version ${FORMAT_VERSION}`);
  }
  const length = file.readUInt32BE(12);
  const payload = file.subarray(HEADER_BYTES);
  if (payload.length < length) {
    return fail(`truncated: ${payload.length} of the ${length} bytes its header announces`);
  }
  if (payload.length > length) {
    return fail(`${payload.length - length} bytes more than the ${length} its header announces`);
  }
  const digest = createHash("sha256").update(payload).digest();
  if (!digest.equals(file.subarray(16, HEADER_BYTES))) {
    return fail("corrupt: the SHA-256 of its contents does not match its header");
  }
  try {
    return { ok: true, snapshot: fromBinary(ConfigSnapshotSchema, payload), payload };
  } catch (error) {
    return fail(`does not decode as a config snapshot (${errorText(error)})`);
  }
}

/**
 * Reads the last good snapshot at `path`. A missing file is normal (first start) and returns
 * undefined; so does a file that cannot be read or fails its checks, after one error line
 * naming the file and what is wrong: a worker never serves half a snapshot. `encoder` (default
 * none) is primed with the file's bytes, so the next file written re-encodes only what changed.
 */
export async function readSnapshotFile(
  path: string,
  logger: Logger,
  encoder?: SnapshotEncoder,
): Promise<ConfigSnapshot | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      logger.info({ file: path }, `no disk snapshot at ${path} yet`);
    } else {
      logger.error({ file: path }, `disk snapshot ${path} cannot be read (${code ?? error})`);
    }
    return undefined;
  }
  const decoded = decodeSnapshotFile(bytes);
  if (!decoded.ok) {
    logger.error(
      { file: path, problem: decoded.problem },
      `disk snapshot ${path} is refused: ${decoded.problem}`,
    );
    return undefined;
  }
  encoder?.prime(decoded.snapshot, decoded.payload);
  const revision = String(decoded.snapshot.revision);
  logger.info({ file: path, revision }, `disk snapshot ${path} read: revision ${revision}`);
  return decoded.snapshot;
}

/** Options of {@link SnapshotFileWriter}. */
export interface SnapshotFileWriterOptions {
  readonly logger: Logger;
  /** Called after each file written (tests, metrics). Default none. */
  readonly onWritten?: (revision: bigint) => void;
  /**
   * Encodes the snapshots; share it with whatever decoded them (`readSnapshotFile`, the
   * subscriber's `encoder`) so bytes already at hand are reused. Default a new one.
   */
  readonly encoder?: SnapshotEncoder;
  /**
   * How long a write waits after {@link SnapshotFileWriter.write} before encoding, so a burst of
   * changes is written once (the newest wins). The file is only the last good snapshot, so a
   * crash within this window loses at most that much of it. Default 250 ms.
   */
  readonly delayMs?: number;
}

/**
 * Keeps `path` holding the newest snapshot served, written atomically: a temporary file in the
 * same directory is written and fsynced, then renamed over `path` (and the directory fsynced),
 * so a crash leaves either the old file or the new one. Nothing is encoded or written during
 * {@link write} itself: the work starts `delayMs` later, off the path that serves the config.
 * At most one write is in flight; the snapshots served meanwhile collapse into the newest, so a
 * burst of changes costs one or two writes, not one per revision. A failed write is logged and
 * the next revision tries again.
 */
export class SnapshotFileWriter {
  readonly #path: string;
  readonly #options: SnapshotFileWriterOptions;
  #pending: ConfigSnapshot | undefined;
  #running: Promise<void> | undefined;
  #written: bigint | undefined;
  readonly #encoder: SnapshotEncoder;
  readonly #delayMs: number;
  /** Ends the current wait early (set while {@link drain} waits). */
  #wake: (() => void) | undefined;
  #flushing = false;

  constructor(path: string, options: SnapshotFileWriterOptions) {
    this.#path = path;
    this.#options = options;
    this.#encoder = options.encoder ?? new SnapshotEncoder();
    this.#delayMs = options.delayMs ?? 250;
    if (!Number.isFinite(this.#delayMs) || this.#delayMs < 0) {
      throw new Error(`delayMs must be a number of milliseconds ≥ 0, not ${options.delayMs}`);
    }
  }

  /** The revision of the last file written; undefined before the first. */
  get written(): bigint | undefined {
    return this.#written;
  }

  /** Schedules writing `snapshot` (replacing one not yet started). Never throws. */
  write(snapshot: ConfigSnapshot): void {
    this.#pending = snapshot;
    this.#running ??= this.#drain();
  }

  /** Resolves once every snapshot given to {@link write} so far is written (or failed). */
  async flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#running) {
        this.#wake?.();
        await this.#running;
      }
    } finally {
      this.#flushing = false;
    }
  }

  /** Waits `delayMs` (at least until the next turn of the event loop), unless flushing. */
  async #wait(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (this.#flushing) {
        setImmediate(resolve);
        return;
      }
      const timer = setTimeout(done, this.#delayMs);
      this.#wake = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
    this.#wake = undefined;
  }

  async #drain(): Promise<void> {
    try {
      for (await this.#wait(); this.#pending !== undefined; await this.#wait()) {
        const next = this.#pending;
        this.#pending = undefined;
        if (this.#written !== undefined && next.revision <= this.#written) continue;
        if (await this.#writeFile(next)) {
          this.#written = next.revision;
          this.#options.onWritten?.(next.revision);
        }
      }
    } finally {
      this.#running = undefined;
    }
  }

  async #writeFile(snapshot: ConfigSnapshot): Promise<boolean> {
    const path = this.#path;
    const temporary = `${path}.${process.pid}.tmp`;
    try {
      const bytes = encodeSnapshotFile(snapshot, this.#encoder);
      await mkdir(dirname(path), { recursive: true });
      const file = await open(temporary, "w", 0o600);
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, path);
      // The rename itself is durable only once the directory is synced.
      const directory = await open(dirname(path), "r");
      try {
        await directory.sync();
      } finally {
        await directory.close();
      }
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? errorText(error);
      this.#options.logger.warn(
        { file: path, revision: String(snapshot.revision) },
        `disk snapshot ${path} cannot be written (${code}); the previous one stays`,
      );
      await rm(temporary, { force: true }).catch(() => undefined);
      return false;
    }
  }
}

function fail(problem: string): DecodedSnapshotFile {
  return { ok: false, problem };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
