/**
 * Route matching: compile time and resolve cost of @switchyard/matcher at 10 to
 * 100 000 rules. Method and results: docs/benchmarks.md, "Route matching".
 */
import { compileRouteTable, type RouteTable } from "@switchyard/matcher";
import { type Request, syntheticWorkload, type Workload } from "./synthetic-config.js";

const RESOLVES = 2_000_000;
const WARMUP = 500_000;
/** Distinct requests cycled through: few (the table's hot part stays in CPU caches) or many. */
const HOT = 64;
const SPREAD = 4096;

const layouts = [
  { name: "100 rules per project", projects: (rules: number) => Math.max(1, rules / 100) },
  { name: "one project", projects: () => 1 },
];

/** CPU time of this process in ms: steadier than wall time on a shared machine. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Up to `count` requests spread evenly over the list. */
function sample(requests: readonly Request[], count: number): Request[] {
  const step = Math.max(1, Math.floor(requests.length / count));
  const picked: Request[] = [];
  for (let i = 0; i < requests.length && picked.length < count; i += step) {
    // Flat copies, as a request's strings arrive from the HTTP parser.
    const { host, path } = requests[i]!;
    picked.push({ host: Buffer.from(host).toString(), path: Buffer.from(path).toString() });
  }
  return picked;
}

function nsPerResolve(table: RouteTable, requests: Request[], expected: string): number {
  const n = requests.length;
  const run = (count: number) => {
    let seen = 0;
    for (let i = 0, j = 0; i < count; i++, j = j + 1 === n ? 0 : j + 1) {
      const { host, path } = requests[j]!;
      if (table.resolve(host, "GET", path).kind === expected) seen++;
    }
    return seen;
  };
  run(WARMUP);
  const start = cpuMs();
  const seen = run(RESOLVES);
  const elapsed = cpuMs() - start;
  if (seen !== RESOLVES) throw new Error(`expected ${expected} for every request, got ${seen}`);
  return (elapsed * 1e6) / RESOLVES;
}

function compileMs(workload: Workload): { first: number; median: number; min: number } {
  const repeats = workload.input.rules.length >= 100_000 ? 3 : 7;
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = cpuMs();
    const table = compileRouteTable(workload.input);
    times.push(cpuMs() - start);
    if (table.errors.length > 0) throw new Error(table.errors[0]!.message);
  }
  return { first: times[0]!, median: median(times), min: Math.min(...times) };
}

/** Recompiling with the previous table after one rule changed, as a worker does on a delta. */
function recompileMs(workload: Workload, table: RouteTable): number {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const rules = [...workload.input.rules];
    const changed = rules[(i * 7919) % rules.length]!;
    rules[(i * 7919) % rules.length] = { ...changed, order: (changed.order ?? 0) + 1 };
    const start = cpuMs();
    compileRouteTable({ ...workload.input, rules }, { previous: table });
    times.push(cpuMs() - start);
  }
  return median(times);
}

/** Rule counts to measure: the command line's numbers, or the standard four. */
const sizes = process.argv.slice(2).map(Number).filter(Number.isInteger);
const rows: string[] = [];
for (const layout of layouts) {
  for (const rules of sizes.length > 0 ? sizes : [10, 1_000, 10_000, 100_000]) {
    const projects = layout.projects(rules);
    const workload = syntheticWorkload(rules, projects);
    const compile = compileMs(workload);
    const table = compileRouteTable(workload.input);
    const recompile = recompileMs(workload, table);
    const cells = [HOT, SPREAD].flatMap((count) => [
      nsPerResolve(table, sample(workload.hits, count), "match"),
      nsPerResolve(table, sample(workload.misses, count), "no-rule"),
      nsPerResolve(table, sample(workload.unknown, count), "unknown-host"),
    ]);
    const row = [
      layout.name,
      rules.toLocaleString("en-US"),
      projects,
      `${compile.median.toFixed(1)} (${compile.min.toFixed(1)})`,
      compile.first.toFixed(1),
      recompile.toFixed(1),
      ...cells.map((ns) => ns.toFixed(0)),
    ];
    rows.push(`| ${row.join(" | ")} |`);
    console.error(`done: ${layout.name}, ${rules} rules`);
  }
}

const measured = new URL(import.meta.resolve("@switchyard/matcher")).pathname.split(
  "/packages/",
)[1];
console.log(`Node ${process.version}, packages/${measured}; ${RESOLVES} resolves per cell`);
console.log(`after ${WARMUP} to warm up;`);
console.log(`hot: ${HOT} distinct requests cycled; spread: ${SPREAD}. Times are CPU time.\n`);
console.log(
  "| layout | rules | projects | compile, median (min) (ms) | first compile (ms) | recompile, 1 rule changed (ms) | hot hit (ns) | hot miss (ns) | hot unknown host (ns) | spread hit (ns) | spread miss (ns) | spread unknown host (ns) |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const row of rows) console.log(row);
