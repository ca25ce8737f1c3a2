/**
 * `pnpm bench`: every benchmark on this machine in one go. Builds what they measure once,
 * runs each suite as a child process (one after the other, never two at once), collects
 * what each printed and the raw figures it wrote into bench/results/latest.json, and rewrites
 * the measured parts of docs/benchmarks.md: the text between `<!-- bench:NAME:start -->` and
 * `<!-- bench:NAME:end -->` markers; the method and reading around them are kept.
 *
 *   pnpm bench [--quick] [--only matcher,proxy,…] [--no-build] [--json FILE] [--doc FILE]
 *
 * `--quick` (a few minutes, for a pull request): fewer rounds, shorter runs, smaller rule
 * counts, every suite still run; the parameters of both modes are in {@link SUITES} and are
 * written into the document.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const bench = dirname(fileURLToPath(import.meta.url));
const root = dirname(bench);

const argv = process.argv.slice(2);
if (argv[0] === "--") argv.shift();
const { values: args } = parseArgs({
  args: argv,
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    "no-build": { type: "boolean", default: false },
    json: { type: "string", default: join(bench, "results", "latest.json") },
    doc: { type: "string", default: join(root, "docs", "benchmarks.md") },
  },
});
const quick = args.quick;

/** What a suite's child writes for the collector: `{json}` is replaced by a file path. */
interface Step {
  /** The command, run in bench/. */
  readonly command: readonly string[];
  /** A caption over this step's output in the document. */
  readonly caption?: string;
}

interface Suite {
  /** The marker name in docs/benchmarks.md and the key in the JSON file. */
  readonly key: string;
  readonly title: string;
  /** Full run, then `--quick`. */
  readonly steps: (quick: boolean) => readonly Step[];
  /** Its output is markdown (tables); otherwise it is shown as preformatted text. */
  readonly markdown: boolean;
}

const tsx = ["pnpm", "exec", "tsx"];
const proxyBench = ["node", "proxy/dist/run-proxy-bench.js", "--json", "{json}"];
/** Every row of the proxy bench that `pnpm bench` measures, in this order. */
const PROXY_ROWS = [
  "direct",
  "nginx",
  "haproxy",
  "floor",
  "fastify",
  "hpm",
  "hpm-plain",
  "worker-1",
  "worker-min",
  "worker-full",
  "worker-large",
  "worker-1-devnull",
  "worker-1-jwt",
  "worker-1-jwt-uncached",
  "worker-1-ratelimit",
];
const proxyTiming = (quick: boolean) =>
  quick
    ? ["--rounds", "1", "--seconds", "5", "--warmup", "2"]
    : ["--rounds", "3", "--seconds", "10", "--warmup", "3"];

const SUITES: readonly Suite[] = [
  {
    key: "matcher",
    title: "Route matching",
    markdown: true,
    steps: (quick) => [
      {
        command: [...tsx, "matcher/route-matching.ts", ...(quick ? ["1000", "10000"] : [])],
      },
    ],
  },
  {
    key: "proxy",
    title: "Proxy throughput, peers and policy cost",
    markdown: true,
    steps: (quick) => [
      {
        command: [
          ...proxyBench,
          ...proxyTiming(quick),
          "--large-rules",
          "10000",
          "--only",
          (quick
            ? PROXY_ROWS.filter(
                (row) => row !== "worker-1-devnull" && row !== "worker-1-jwt-uncached",
              )
            : PROXY_ROWS
          ).join(","),
        ],
      },
      {
        // Apart, so that a dev server that does not start leaves the peers' figures whole.
        caption: "`switchyard dev` against the worker, in the same rounds",
        command: [...proxyBench, ...proxyTiming(quick), "--only", "worker-1,dev"],
      },
      {
        caption:
          "`switchyard worker --processes 2` against one process, in the same rounds (the 2 processes share both CPUs with wrk and the upstream)",
        command: [...proxyBench, ...proxyTiming(quick), "--only", "worker-1,worker-1-p2"],
      },
    ],
  },
  {
    key: "proxy-latency",
    title: "Latency at half the worker's peak",
    markdown: true,
    steps: (quick) => [
      {
        command: [
          ...proxyBench,
          ...proxyTiming(quick),
          "--paced-fraction",
          "0.5",
          "--only",
          "direct,floor,fastify,hpm,nginx,worker-1,worker-full",
        ],
      },
    ],
  },
  {
    key: "streaming",
    title: "Streamed payloads and server-sent events",
    markdown: true,
    steps: (quick) => [
      {
        command: [
          "node",
          "proxy/dist/stream-bench.js",
          "--json",
          "{json}",
          ...(quick
            ? ["--small", "10", "--large", "1", "--events", "100"]
            : ["--small", "30", "--large", "3", "--events", "300"]),
        ],
      },
    ],
  },
  {
    key: "proxy-rules",
    title: "Proxy throughput by rule count",
    markdown: true,
    // 1 rule and 10 000 rules are rows of the "proxy" suite; here each other count is measured
    // against 1 rule in the same rounds.
    steps: (quick) =>
      (quick ? ["1000"] : ["1000", "100000"]).map((rules) => ({
        caption: `${Number(rules).toLocaleString("en-US").replace(/,/g, " ")} rules`,
        command: [
          ...proxyBench,
          ...proxyTiming(quick),
          "--large-rules",
          rules,
          "--only",
          "worker-1,worker-large",
        ],
      })),
  },
  {
    key: "config-sync",
    title: "Config distribution over Redis",
    markdown: false,
    steps: (quick) => [
      { command: [...tsx, "config-sync/redis-write-cost.ts", ...(quick ? ["10000"] : [])] },
    ],
  },
  {
    key: "fleet-propagation",
    title: "Fleet propagation",
    markdown: true,
    steps: (quick) => [
      { command: [...tsx, "fleet/propagation.ts", ...(quick ? ["--quick"] : [])] },
    ],
  },
  {
    key: "fleet-cold-start",
    title: "Worker cold start",
    markdown: true,
    steps: (quick) => [
      {
        command: [...tsx, "fleet/cold-start.ts", "--no-profile", ...(quick ? ["--quick"] : [])],
      },
    ],
  },
  {
    key: "dev-start",
    title: "`switchyard dev` first start",
    markdown: false,
    steps: (quick) => [
      { command: [...tsx, "dev-start/dev-start.ts", "--runs", quick ? "2" : "5"] },
    ],
  },
];

/** What `--quick` leaves to the full run: listed in its document, never given a number. */
const FULL_ONLY = [
  "the worker with 100 000 rules through the proxy (proxy-rules)",
  "the worker with its access log to /dev/null, and JWTs never cached (proxy rows worker-1-devnull, worker-1-jwt-uncached)",
  "route matching at 10 and 100 000 rules",
  "config distribution at 100 000 rules; fleet propagation at 10 000 rules and 10 workers; cold start at 100 000 rules",
];

const only = args.only?.split(",").map((key) => key.trim());
if (only) {
  const unknown = only.filter((key) => !SUITES.some((suite) => suite.key === key));
  if (unknown.length > 0) {
    throw new Error(
      `--only: unknown suite ${unknown.join(", ")} (suites: ${SUITES.map((s) => s.key).join(", ")})`,
    );
  }
}
const suites = SUITES.filter((suite) => !only || only.includes(suite.key));

function output(command: string, commandArgs: string[]): string {
  const result = spawnSync(command, commandArgs, { encoding: "utf8", cwd: root });
  if (result.error) return "not installed";
  return `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
}

function packageVersion(name: string): string {
  try {
    const file = join(bench, "node_modules", name, "package.json");
    return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

const loads = () => loadavg().map((n) => Number(n.toFixed(2)));
/** The version a tool prints, as `pattern` finds it, or what it printed first. */
const version = (text: string, pattern: RegExp) =>
  pattern.exec(text)?.[1] ?? text.split("\n")[0] ?? text;

/** Runs one command in bench/, its stderr shown as it comes; resolves with stdout and status. */
function run(
  command: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const [program, ...rest] = command as [string, ...string[]];
    const child = spawn(program, rest, { cwd: bench, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-20_000);
      process.stderr.write(chunk);
    });
    child.once("error", (error) => resolve({ code: -1, stdout, stderr: String(error) }));
    child.once("close", (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr }),
    );
  });
}

/** A file a suite names in what it prints (`raw numbers: /tmp/….json`), read as JSON. */
function namedJson(printed: string): { text: string; data?: unknown } {
  // redis-server, started by a suite, writes its start-up lines to the same standard output.
  const stdout = printed.replace(/^\d+:[CMSX] \d\d [A-Z][a-z]{2} \d{4} .*\n/gm, "");
  const found = /^raw numbers: (\S+\.json)\s*$/m.exec(stdout);
  if (!found?.[1] || !existsSync(found[1])) return { text: stdout };
  const data: unknown = JSON.parse(readFileSync(found[1], "utf8"));
  return { text: stdout.replace(found[0], "").trimEnd(), data };
}

// Before an hour of measuring: the document has a place for every block this run writes.
{
  const doc = readFileSync(args.doc, "utf8");
  const missing = ["run", ...suites.map((suite) => suite.key)].filter(
    (key) =>
      !doc.includes(`<!-- bench:${key}:start -->`) || !doc.includes(`<!-- bench:${key}:end -->`),
  );
  if (missing.length > 0) {
    throw new Error(
      `${args.doc}: no <!-- bench:NAME:start --> … end markers for ${missing.join(", ")}`,
    );
  }
}

// Build once what the suites measure: the packages' dist/ and the compiled proxy bench.
if (!args["no-build"]) {
  console.error("building the packages the benchmarks measure");
  execFileSync(
    "pnpm",
    [
      "exec",
      "turbo",
      "run",
      "build",
      "--output-logs=errors-only",
      ...[
        "@switchyard/cli...",
        "@switchyard/worker...",
        "@switchyard/matcher...",
        "@switchyard/config-sync...",
        "@switchyard/testkit",
      ].flatMap((name) => ["--filter", name]),
    ],
    { cwd: root, stdio: "inherit" },
  );
  execFileSync("pnpm", ["exec", "tsc", "-p", "proxy/tsconfig.build.json"], {
    cwd: bench,
    stdio: "inherit",
  });
}

const started = new Date();
const loadBefore = loads();
const commit = output("git", ["rev-parse", "--short", "HEAD"]);
/** Tracked files of what is measured that differ from the commit (others' work in progress). */
const uncommitted = output("git", [
  "diff",
  "HEAD",
  "--name-only",
  "--",
  "apps",
  "packages",
  "bench",
  ":!bench/results",
])
  .split("\n")
  .filter((line) => line !== "");
const machine = {
  cpu: cpus()[0]?.model.trim() ?? "unknown",
  cores: cpus().length,
  memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
  kernel: `Linux ${release()}`,
};
const work = mkdtempSync(join(tmpdir(), "switchyard-bench-all-"));

interface StepResult {
  caption?: string;
  command: string;
  exitCode: number;
  seconds: number;
  /** What it printed (markdown or text), without the line naming its raw file. */
  output: string;
  /** The raw figures it wrote, where it writes any. */
  data?: unknown;
  /** The end of its stderr when it failed. */
  error?: string;
}
const results: Record<string, { title: string; steps: StepResult[] }> = {};

for (const suite of suites) {
  const steps: StepResult[] = [];
  results[suite.key] = { title: suite.title, steps };
  for (const [index, step] of suite.steps(quick).entries()) {
    const json = join(work, `${suite.key}-${index}.json`);
    const command = step.command.map((part) => (part === "{json}" ? json : part));
    console.error(`\n== ${suite.key}: ${command.join(" ")}`);
    const t0 = performance.now();
    const result = await run(command);
    const seconds = Number(((performance.now() - t0) / 1000).toFixed(1));
    const named = namedJson(result.stdout);
    const data = existsSync(json)
      ? (JSON.parse(readFileSync(json, "utf8")) as unknown)
      : named.data;
    steps.push({
      ...(step.caption && { caption: step.caption }),
      command: command.map((part) => (part === json ? "FILE.json" : part)).join(" "),
      exitCode: result.code,
      seconds,
      output: named.text.trim(),
      ...(data !== undefined && { data }),
      ...(result.code !== 0 && { error: result.stderr.split("\n").slice(-15).join("\n") }),
    });
    console.error(`== ${suite.key}: exit ${result.code} after ${seconds} s`);
  }
}
rmSync(work, { recursive: true, force: true });

const finished = new Date();
const loadAfter = loads();
const versions = {
  node: process.version,
  undici: packageVersion("undici"),
  nginx: version(output("nginx", ["-v"]), /nginx\/(\S+)/),
  haproxy: version(output("haproxy", ["-v"]), /HAProxy version (\S+)/),
  redis: version(output("redis-server", ["--version"]), /v=(\S+)/),
  wrk: version(output("wrk", ["-v"]), /wrk (\S+)/),
  "@fastify/http-proxy": packageVersion("@fastify/http-proxy"),
  fastify: packageVersion("fastify"),
  "http-proxy-middleware": packageVersion("http-proxy-middleware"),
};
const parameters = Object.fromEntries(
  SUITES.map((suite) => [
    suite.key,
    suite.steps(quick).map((step) =>
      step.command
        .filter((part) => part !== "{json}")
        .join(" ")
        .replace(" --json", ""),
    ),
  ]),
);
const record = {
  mode: quick ? "quick" : "full",
  started: started.toISOString(),
  finished: finished.toISOString(),
  commit: `${commit}${uncommitted.length > 0 ? ` with uncommitted changes to ${uncommitted.join(", ")}` : ""}`,
  machine,
  loadAverage: { before: loadBefore, after: loadAfter },
  versions,
  parameters,
  fullRunOnly: quick ? FULL_ONLY : [],
  suites: results,
};
mkdirSync(dirname(args.json), { recursive: true });
writeFileSync(args.json, `${JSON.stringify(record, null, 1)}\n`);
// In the repository's own format, so that the file committed passes `pnpm lint`.
spawnSync("pnpm", ["exec", "biome", "format", "--write", args.json], {
  cwd: root,
  stdio: "ignore",
});

// The document: each suite's block, and the run's header.
const notMeasured = [
  ...SUITES.filter((suite) => !results[suite.key]).map((suite) => `${suite.title} (not run)`),
  ...Object.entries(results).flatMap(([, suite]) =>
    suite.steps
      .filter((step) => step.exitCode !== 0)
      .map((step) => `${suite.title}${step.caption ? `, ${step.caption}` : ""}: failed, see below`),
  ),
  ...(quick ? FULL_ONLY.map((item) => `${item}: full run only`) : []),
];
if (notMeasured.length === 0) notMeasured.push("nothing: every suite ran and succeeded");
const jsonPath = relative(dirname(args.doc), args.json);
const blocks: Record<string, string> = {
  run: [
    `Last \`pnpm bench${quick ? " --quick" : ""}\` run: ${started.toISOString().slice(0, 16).replace("T", " ")} UTC` +
      ` to ${finished.toISOString().slice(11, 16)} UTC, commit ${record.commit}, mode **${record.mode}**.`,
    "",
    `- machine: ${machine.cpu}, ${machine.cores} CPUs, ${machine.memoryGiB} GiB, ${machine.kernel}`,
    `- load average (1, 5, 15 min): ${loadBefore.join(" ")} before, ${loadAfter.join(" ")} after` +
      (loadBefore[0] !== undefined && loadBefore[0] > machine.cores
        ? ` — **busier than the machine has cores: other work shared it, so times are long and only comparable within this run**`
        : ""),
    `- versions: Node ${versions.node}, undici ${versions.undici}, nginx ${versions.nginx}, HAProxy ${versions.haproxy}, redis-server ${versions.redis}, wrk ${versions.wrk}; ` +
      `@fastify/http-proxy ${versions["@fastify/http-proxy"]} (fastify ${versions.fastify}), http-proxy-middleware ${versions["http-proxy-middleware"]}`,
    `- raw figures of every round: [${jsonPath}](${jsonPath})`,
    `- suites run: ${Object.entries(results)
      .map(([key, suite]) => {
        const failed = suite.steps.filter((step) => step.exitCode !== 0).length;
        const time = suite.steps.reduce((sum, step) => sum + step.seconds, 0).toFixed(0);
        return `${key} (${failed === 0 ? "ok" : `${failed} step(s) failed`}, ${time} s)`;
      })
      .join(", ")}`,
    "",
    "Not measured in this run (no number is given for them anywhere below):",
    "",
    ...notMeasured.map((item) => `- ${item}`),
    "",
    `Commands of this mode (run in bench/; \`pnpm bench${quick ? "" : " --quick"}\` uses ${quick ? "longer runs and larger rule counts" : "fewer rounds, shorter runs and smaller rule counts"}):`,
    "",
    ...Object.entries(parameters).flatMap(([key, commands]) =>
      commands.map((command) => `- ${key}: \`${command}\``),
    ),
  ].join("\n"),
};
for (const suite of suites) {
  const result = results[suite.key];
  if (!result) continue;
  const parts = [
    `Generated by \`pnpm bench${quick ? " --quick" : ""}\` (${record.mode} mode), ${started.toISOString().slice(0, 10)}; machine, load and versions at the top of this page.`,
    ...(quick && (suite.key.startsWith("proxy") || suite.key === "streaming")
      ? [
          "",
          "Quick mode measures each row once, a few seconds: on a shared machine one row can land on a busy moment (a p99 of hundreds of ms shows it), so its ratios are indicative; the full run's rounds are the ones to quote.",
        ]
      : []),
  ];
  for (const step of result.steps) {
    parts.push("");
    if (step.caption) parts.push(`**${step.caption}**`, "");
    if (step.exitCode !== 0) {
      parts.push(
        `Failed (exit ${step.exitCode}) after ${step.seconds} s: \`${step.command}\`.`,
        "",
        "```text",
        step.error ?? "",
        "```",
      );
    } else if (suite.markdown) parts.push(step.output);
    else parts.push("```text", step.output, "```");
  }
  blocks[suite.key] = parts.join("\n");
}

let doc = readFileSync(args.doc, "utf8");
for (const [key, text] of Object.entries(blocks)) {
  const start = `<!-- bench:${key}:start -->`;
  const end = `<!-- bench:${key}:end -->`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${args.doc}: no ${start} … ${end} markers`);
  doc = `${doc.slice(0, from + start.length)}\n${text}\n${doc.slice(to)}`;
}
writeFileSync(args.doc, doc);
console.error(`\nwrote ${args.json} and ${args.doc}`);
const failed = Object.values(results).some((suite) =>
  suite.steps.some((step) => step.exitCode !== 0),
);
process.exitCode = failed ? 1 : 0;
