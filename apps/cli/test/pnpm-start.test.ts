/**
 * The root `pnpm start` (install, build, `switchyard dev`) stops on SIGTERM sent to pnpm,
 * as a process manager or `kill` sends it: no process of it outlives the command and the API
 * port is free again. Its script ends in `exec`, so the shell pnpm runs it in becomes
 * `switchyard dev` instead of leaving it behind as an orphan holding the ports.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devEnv } from "./dev-process.js";
import { baseEnv } from "./spawn-cli.js";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
let dir: string;
let started: ChildProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchyard-pnpm-start-"));
});

afterAll(async () => {
  // Whatever a failed run left behind: its whole process group.
  if (started?.pid !== undefined && groupAlive(started.pid)) process.kill(-started.pid, "SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

/** True while any process of group `pgid` exists (zombies awaiting their parent count). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves true when something accepts a connection on `port` of 127.0.0.1. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("pnpm start", () => {
  it("leaves no process behind and frees its ports after SIGTERM to pnpm", async () => {
    // Its own process group, so the test can look for any process of it afterwards.
    const child = spawn("pnpm", ["start"], {
      cwd: repoRoot,
      env: baseEnv(devEnv(join(dir, "data"))),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    started = child;
    const pid = child.pid!;
    let stderr = "";
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const apiUrl = await new Promise<string>((resolve, reject) => {
      child.stderr!.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        const url = /^ {2}export SWITCHYARD_SERVER=(\S+)$/m.exec(stderr)?.[1];
        if (url !== undefined) resolve(url);
      });
      child.stdout!.resume();
      void exited.then(() => reject(new Error(`pnpm start exited before its banner:\n${stderr}`)));
    });
    const port = Number(new URL(apiUrl).port);
    expect(await listening(port)).toBe(true);

    child.kill("SIGTERM");
    await exited;
    // The child's own children: poll until none is left (dev closes in well under 10 s).
    const deadline = Date.now() + 10_000;
    while (groupAlive(pid) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(groupAlive(pid)).toBe(false);
    expect(await listening(port)).toBe(false);
  }, 600_000);
});
