/**
 * The Switchyard worker in `BENCH_PROCESSES` processes (default 2) sharing one port, as
 * `switchyard worker --processes N` runs it: a node:cluster primary forks that many copies of
 * ./switchyard-worker.js (each the whole worker, with its config, logger and rate limiter) and
 * stays out of the request path. `BENCH_SCHED=rr` uses node:cluster's round-robin (the primary
 * accepts every connection and passes it over IPC) instead of the kernel's spreading
 * (`SCHED_NONE`, what `switchyard worker` uses), to compare the two.
 *
 * To the orchestrator it is one proxy: "cpu" answers the CPU time of the primary and every
 * process, "stats" the sum of their counters, "stop" stops them all.
 */
import cluster, { type Worker } from "node:cluster";
import { fileURLToPath } from "node:url";
import type { FromProxy, ToProxy } from "./serve-bench.js";

const processes = Number(process.env["BENCH_PROCESSES"] ?? "2");
if (!Number.isInteger(processes) || processes < 2 || processes > 64) {
  throw new Error("BENCH_PROCESSES: a whole number from 2 to 64");
}
const sched = process.env["BENCH_SCHED"] ?? "none";
if (sched !== "none" && sched !== "rr") throw new Error(`BENCH_SCHED: "none" or "rr"`);
cluster.schedulingPolicy = sched === "rr" ? cluster.SCHED_RR : cluster.SCHED_NONE;
cluster.setupPrimary({ exec: fileURLToPath(new URL("./switchyard-worker.js", import.meta.url)) });

/** A process of the cluster, asked one question at a time as the orchestrator asks a proxy. */
class Child {
  readonly #waiting: ((message: FromProxy) => void)[] = [];
  readonly port: Promise<number>;
  readonly exited: Promise<void>;

  constructor(readonly worker: Worker) {
    this.exited = new Promise((resolve) => worker.once("exit", () => resolve()));
    this.port = new Promise((resolve, reject) => {
      worker.once("exit", (code) => reject(new Error(`a worker process exited with ${code}`)));
      worker.on("message", (message: FromProxy) => {
        if ("ready" in message) resolve(message.ready);
        else this.#waiting.shift()?.(message);
      });
    });
  }

  ask(message: ToProxy): Promise<FromProxy> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.worker.send(message);
    });
  }
}

const children = Array.from({ length: processes }, () => new Child(cluster.fork()));
const ports = new Set(await Promise.all(children.map((child) => child.port)));
if (ports.size !== 1)
  throw new Error(`the processes listen on ${[...ports].join(", ")}, not one port`);

const send = (message: FromProxy) => process.send?.(message);
process.on("message", async (message: ToProxy) => {
  if (message === "cpu") {
    const own = process.cpuUsage();
    const cpu = { user: own.user, system: own.system };
    for (const answer of await Promise.all(children.map((child) => child.ask("cpu")))) {
      if ("cpu" in answer) {
        cpu.user += answer.cpu.user;
        cpu.system += answer.cpu.system;
      }
    }
    send({ cpu });
  }
  if (message === "stats") {
    const stats: Record<string, number> = {};
    for (const answer of await Promise.all(children.map((child) => child.ask("stats")))) {
      if (!("stats" in answer)) continue;
      for (const [name, value] of Object.entries(answer.stats)) {
        stats[name] = (stats[name] ?? 0) + value;
      }
    }
    send({ stats });
  }
  if (message === "stop") {
    for (const child of children) child.worker.send("stop" satisfies ToProxy);
    await Promise.all(children.map((child) => child.exited));
    process.exit(0);
  }
});
send({ ready: [...ports][0] as number });
