import { type ChildProcess, spawn } from "node:child_process";
import type { Writable } from "node:stream";

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Makes sure `child` dies with this process, however this process ends.
 *
 * A normal exit runs the `exit` hook below. A process killed outright (SIGKILL, a crash) runs no
 * JavaScript, so a tiny `sh` watchdog also holds a pipe from us: when the kernel closes that pipe
 * at our death, its `read` returns and it kills the child. Neither keeps the event loop alive.
 * Returns the function that disarms both; call it once the child is being stopped on purpose.
 */
export function killWithThisProcess(child: ChildProcess): () => void {
  installExitHook();
  live.add(child);
  const watchdog = spawnWatchdog(child.pid);
  const disarm = () => {
    live.delete(child);
    watchdog?.kill("SIGKILL");
  };
  child.once("exit", disarm);
  return disarm;
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    // SIGKILL also ends a child we paused with SIGSTOP; a pending SIGTERM would wait for SIGCONT.
    for (const child of live) child.kill("SIGKILL");
  });
}

/** Spawns `sh` that SIGKILLs `pid` once its stdin closes (when we die, or when told to). */
export function spawnWatchdog(pid: number | undefined): ChildProcess | undefined {
  if (pid === undefined) return undefined;
  const watchdog = spawn("sh", ["-c", 'read _; kill -9 "$1" 2>/dev/null', "sh", String(pid)], {
    stdio: ["pipe", "ignore", "ignore"],
  });
  watchdog.on("error", () => {}); // no sh: the exit hook still covers normal exits
  watchdog.unref();
  (watchdog.stdin as Writable & { unref?: () => void }).unref?.();
  return watchdog;
}
