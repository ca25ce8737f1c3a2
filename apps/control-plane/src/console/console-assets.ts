import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

/** One file of the built console, ready to send. */
export interface ConsoleAsset {
  readonly contentType: string;
  /** Strong validator: a hash of the content. */
  readonly etag: string;
  /** Hashed build outputs never change under their name; everything else is revalidated. */
  readonly immutable: boolean;
  readonly identity: Buffer;
  /** Present for text worth compressing. */
  readonly gzip?: Buffer;
  readonly brotli?: Buffer;
}

/** The built console by URL path (`/index.html`, `/assets/index-3f2a.js`, …). */
export type ConsoleAssets = ReadonlyMap<string, ConsoleAsset>;

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

const COMPRESS_FROM_BYTES = 1024;

/**
 * Reads the built console (a few hundred KiB) into memory once, compressed ahead of time.
 * Serving from this map rather than the file system means a request path can only ever name
 * a file that was in the build: no traversal, no symlinks, no file-system call per request.
 * Resolves to an empty map when `dir` holds no `index.html` (the console was not built).
 */
export async function loadConsoleAssets(dir: string): Promise<ConsoleAssets> {
  const assets = new Map<string, ConsoleAsset>();
  const files = await listFiles(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  for (const file of files) {
    const relative = path.relative(dir, file).split(path.sep).join("/");
    const contentType = CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream";
    const identity = await readFile(file);
    const compress =
      identity.length >= COMPRESS_FROM_BYTES &&
      /^(text|application\/json|image\/svg)/.test(contentType);
    assets.set(`/${relative}`, {
      contentType,
      etag: `"${createHash("sha256").update(identity).digest("base64url").slice(0, 27)}"`,
      immutable: relative.startsWith("assets/"),
      identity,
      gzip: compress ? gzipSync(identity, { level: 9 }) : undefined,
      brotli: compress
        ? brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })
        : undefined,
    });
  }
  return assets.has("/index.html") ? assets : new Map();
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}
