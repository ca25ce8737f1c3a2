import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { killWithThisProcess, spawnWatchdog } from "./child-cleanup.js";

function exitOf(child: ReturnType<typeof spawn>) {
  return new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(signal ?? code)),
  );
}

describe("child cleanup", () => {
  it("the watchdog kills the child once its pipe from us closes, as it does when we die", async () => {
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    const exited = exitOf(child);
    const watchdog = spawnWatchdog(child.pid)!;
    watchdog.stdin!.end();
    await expect(exited).resolves.toBe("SIGKILL");
  });

  it("disarming leaves the child alone", async () => {
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    const exited = exitOf(child);
    const disarm = killWithThisProcess(child);
    disarm();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(child.exitCode).toBeNull();
    child.kill("SIGTERM");
    await expect(exited).resolves.toBe("SIGTERM");
  });
});
