import { execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/** The built binary, as `pnpm switchyard` runs it. */
export const mainJs = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

/**
 * Builds the CLI and every workspace package it imports (turbo caches unchanged
 * ones), so the spawned binary runs the code under test. build-once.ts runs it
 * before the test files; a file must not call it, as others run beside it.
 */
export async function buildCli(): Promise<void> {
  await promisify(execFile)(
    "pnpm",
    ["exec", "turbo", "run", "build", "--filter=@switchyard/cli...", "--output-logs=errors-only"],
    { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 },
  );
}

/** Only what a shell passes down, so the developer's SWITCHYARD_* never leak in. */
export function baseEnv(env: Record<string, string> = {}): Record<string, string> {
  const keep = ["PATH", "HOME", "TMPDIR", "LANG"];
  const base = Object.fromEntries(
    keep.flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])),
  );
  return { ...base, ...env };
}

/** Where a test's servers find Redis: a standalone URL, or the seed nodes of a Redis Cluster. */
export type RedisTarget = string | { readonly clusterNodes: string };

/** SWITCHYARD_REDIS_URL for a URL, SWITCHYARD_REDIS_CLUSTER_NODES for a cluster's seed nodes. */
export function redisEnv(redis: RedisTarget): Record<string, string> {
  return typeof redis === "string"
    ? { SWITCHYARD_REDIS_URL: redis }
    : { SWITCHYARD_REDIS_CLUSTER_NODES: redis.clusterNodes };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `switchyard …argv` as a child process and collects its output. */
export function spawnCli(
  argv: readonly string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [mainJs, ...argv], {
      env: baseEnv(env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
