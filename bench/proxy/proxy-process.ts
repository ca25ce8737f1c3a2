import { type ChildProcess, fork } from "node:child_process";
import type { FromProxy, ToProxy } from "./proxies/serve-bench.js";
import { type Placement, placed } from "./tools.js";

/** A proxy under test, in a process of its own. */
export class ProxyProcess {
  readonly #child: ChildProcess;
  readonly #waiting: ((message: FromProxy) => void)[] = [];
  readonly port: Promise<number>;

  /**
   * Forks `script` where `placement` says (through nice and taskset) with `env` added;
   * `nodeFlags` go to node (`--cpu-prof`, …).
   */
  constructor(
    script: string,
    placement: Placement,
    env: Record<string, string>,
    nodeFlags: string[] = [],
  ) {
    const [execPath, execArgv] = placed(placement, process.execPath, nodeFlags);
    this.#child = fork(script, [], {
      execPath,
      execArgv,
      env: { ...process.env, ...env, NODE_ENV: "production" },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.port = new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${script} did not start in 120 s`)),
        120_000,
      );
      this.#child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited with ${code} before it was ready`));
      });
      this.#child.on("message", (message: FromProxy) => {
        if ("ready" in message) {
          clearTimeout(timer);
          resolve(message.ready);
        } else this.#waiting.shift()?.(message);
      });
    });
  }

  #ask(message: ToProxy): Promise<FromProxy> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#child.send(message);
    });
  }

  /** Its process id (nice and taskset exec into node, so this is the proxy's own). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** The process's CPU time so far (user + system), in microseconds. */
  async cpuMicros(): Promise<number> {
    const answer = await this.#ask("cpu");
    if (!("cpu" in answer)) throw new Error("expected a CPU usage answer");
    return answer.cpu.user + answer.cpu.system;
  }

  /** The process's own counters (a rate-limited worker's decisions by store); {} for most. */
  async stats(): Promise<Readonly<Record<string, number>>> {
    const answer = await this.#ask("stats");
    if (!("stats" in answer)) throw new Error("expected a stats answer");
    return answer.stats;
  }

  /** Asks the process to shut down, and kills it after 15 s. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.send("stop" satisfies ToProxy);
    await exited;
    clearTimeout(timer);
  }
}
