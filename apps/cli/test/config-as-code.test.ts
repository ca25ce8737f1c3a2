// biome-ignore-all lint/suspicious/noTemplateCurlyInString: config files spell ${VAR} references literally
/**
 * Config as code through the built binary against a real `switchyard dev`: validate offline
 * with located errors, apply (dry run, real, idempotent, --wait), traffic served as the file
 * says, diff exit codes for drift checks, export → apply round trip, prune.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createPgliteDir,
  type EchoedRequest,
  type PgliteDir,
  startUpstream,
  type Upstream,
} from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../src/exit-codes.js";
import { type DevProcess, devEnv, get, startDevProcess } from "./dev-process.js";
import { spawnCli } from "./spawn-cli.js";

let pglite: PgliteDir;
let upstream: Upstream;
let dev: DevProcess | undefined;
let dir: string;

beforeAll(async () => {
  pglite = await createPgliteDir();
  upstream = await startUpstream();
  dir = await mkdtemp(join(tmpdir(), "switchyard-config-as-code-"));
  dev = await startDevProcess(devEnv(pglite.dir));
}, 300_000);

afterAll(async () => {
  await dev?.stop();
  await upstream?.close();
  await pglite?.remove();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `switchyard …argv` against the dev process, plus `env`. */
function cli(argv: readonly string[], env: Record<string, string> = {}) {
  return spawnCli(argv, { ...dev!.banner.exports, ...env });
}

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function revision(): Promise<string> {
  const res = await cli(["-o", "json", "config", "revision"]);
  expect(res.code).toBe(0);
  return String((JSON.parse(res.stdout) as { revision?: string }).revision ?? "0");
}

const site = (target: string) => `projects:
  - name: shop
    aliases:
      - name: production
        inherit_project_rules: true
        rules:
          - path_pattern: /api/*
            target_url: ${target}/v1
            auth: { mode: UNAUTHENTICATED }
    domains:
      - host: shop.example.com
        alias: production
    rules:
      - path_pattern: /static/*
        target_url: ${target}/assets
        auth: { mode: UNAUTHENTICATED }
        header_config:
          add:
            - { name: x-api-key, value: "\${SHOP_KEY}", secret: true }
`;

// The two tests given 90 s run many `switchyard` commands in a row, each a Node process
// starting: a second or two each on a busy 2-core machine, past the 30 s default.
describe("switchyard validate", () => {
  it("names the file, line and field of every mistake, offline, and the server is untouched", {
    timeout: 90_000,
  }, async () => {
    const before = await revision();
    const cases: [string, string, RegExp][] = [
      ["syntax.yaml", "projects:\n  - name: [web\n", /syntax\.yaml:\d+:\d+: /],
      [
        "unknown-key.yaml",
        "projects:\n  - name: web\n    rulez: []\n",
        /unknown-key\.yaml:3:5: projects\[0\]\.rulez: unknown key "rulez"; did you mean "rules"\?/,
      ],
      [
        "wrong-type.yaml",
        "projects:\n  - name: web\n    rules:\n      - path_pattern: /x\n        target_url: https://x.example\n        timeout_ms: soon\n",
        /wrong-type\.yaml:6:21: projects\[0\]\.rules\[0\]\.timeout_ms: must be a whole number, got "soon"/,
      ],
      [
        "bad-pattern.yaml",
        "projects:\n  - name: web\n    rules:\n      - path_pattern: api/*\n        target_url: https://x.example\n",
        /bad-pattern\.yaml:4:23: projects\[0\]\.rules\[0\]\.path_pattern: /,
      ],
      [
        "blocked-target.yaml",
        "projects:\n  - name: web\n    rules:\n      - path_pattern: /x\n        target_url: https://169.254.169.254/latest\n",
        /blocked-target\.yaml:5:21: projects\[0\]\.rules\[0\]\.target_url: /,
      ],
    ];
    for (const [name, text, expected] of cases) {
      const path = await file(name, text);
      for (const command of ["validate", "apply", "diff"]) {
        const res = await cli([command, "-f", path]);
        expect(res.code, `${command} ${name}: ${res.stderr}`).toBe(ExitCode.usage);
        expect(res.stderr).toMatch(expected);
        expect(res.stderr).toContain("nothing was changed");
      }
    }
    expect(await revision()).toBe(before);
  });

  it("checks targets as the settings in its environment allow", async () => {
    const path = await file("http.yaml", site(upstream.origin));
    const strict = await cli(["validate", "-f", path], { SHOP_KEY: "k" });
    expect(strict.code).toBe(ExitCode.usage);
    expect(strict.stderr).toMatch(/http\.yaml:\d+:\d+: projects\[0\]\..*target_url: http targets/);
    const open = await cli(["validate", "-f", path], {
      SHOP_KEY: "k",
      SWITCHYARD_ALLOW_HTTP_TARGETS: "true",
      SWITCHYARD_ALLOW_PRIVATE_TARGETS: "127.0.0.0/8",
    });
    expect(open.stderr).toBe("");
    expect(open.stdout).toBe(`valid: 1 project, 2 rules in ${path}\n`);
  });
});

describe("switchyard apply, diff and export", () => {
  it("applies a file in one revision, serves it, and a second apply changes nothing", {
    timeout: 90_000,
  }, async () => {
    const path = await file("shop.yaml", site(upstream.origin));
    const before = BigInt(await revision());

    const dry = await cli(["apply", "-f", path, "--dry-run"], { SHOP_KEY: "k-1" });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("+ create rule shop/production: /api/*");
    expect(dry.stdout).toContain("would change: 5 to create");
    expect(BigInt(await revision())).toBe(before);

    const applied = await cli(["apply", "-f", path, "--wait=20s"], { SHOP_KEY: "k-1" });
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain(`applied 5 changes in revision ${before + 1n}`);
    expect(applied.stdout).toMatch(/revision \d+ is served by 1 worker/);

    const api = await get(dev!.banner.proxyUrl, "/api/orders", "shop.example.com");
    expect(api.status).toBe(200);
    expect((JSON.parse(api.body) as EchoedRequest).url).toBe("/v1/orders");
    const fallback = await get(dev!.banner.proxyUrl, "/static/a.css", "shop.example.com");
    const seen = JSON.parse(fallback.body) as EchoedRequest;
    expect(seen.url).toBe("/assets/a.css");
    expect(seen.headers["x-api-key"]).toBe("k-1");

    const again = await cli(["apply", "-f", path], { SHOP_KEY: "k-1" });
    expect(again.stdout).toBe("no changes: the server already matches the files\n");
    expect(BigInt(await revision())).toBe(before + 1n);

    const clean = await cli(["diff", "-f", path], { SHOP_KEY: "k-1" });
    expect(clean.code).toBe(0);
    const drift = await cli(["diff", "-f", path], { SHOP_KEY: "k-2" });
    expect(drift.code).toBe(ExitCode.drift);
    expect(drift.stdout).toContain(
      "~ update rule shop: /static/*\n    header_config: a secret value changes",
    );
    expect(drift.stdout).not.toContain("k-2");
  });

  it("exports what apply reads back unchanged, secrets as references", async () => {
    const exported = await cli(["export", "--project", "shop"]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain("value: ${SHOP_X_API_KEY}");
    expect(exported.stdout).not.toContain("k-1");
    const path = await file("exported.yaml", exported.stdout);
    const unset = await cli(["apply", "-f", path]);
    expect(unset.code).toBe(ExitCode.usage);
    expect(unset.stderr).toMatch(/exported\.yaml:\d+:\d+: .*SHOP_X_API_KEY is not set/);
    const reapplied = await cli(["apply", "-f", path], { SHOP_X_API_KEY: "k-1" });
    expect(reapplied.stdout).toBe("no changes: the server already matches the files\n");
    const again = await cli(["export", "--project", "shop"]);
    expect(again.stdout).toBe(exported.stdout);
  });

  it("reports the server's refusal in the file, and prunes only with --prune", async () => {
    // Allowed by the local checks (the server decides which targets it allows) and refused by
    // this server, which allows only 127.0.0.0/8 as private targets.
    const refused = await file("refused.yaml", site("http://10.20.30.40"));
    const res = await cli(["apply", "-f", refused], { SHOP_KEY: "k-1" });
    expect(res.code).toBe(ExitCode.usage);
    expect(res.stderr).toMatch(
      /refused\.yaml:8:25: projects\[0\]\.aliases\[0\]\.rules\[0\]\.target_url: /,
    );

    const smaller = await file(
      "smaller.yaml",
      `projects:\n  - name: shop\n    rules:\n      - path_pattern: /static/*\n        target_url: ${upstream.origin}/assets\n        auth: { mode: UNAUTHENTICATED }\n        header_config:\n          add:\n            - { name: x-api-key, value: "\${SHOP_KEY}", secret: true }\n`,
    );
    const kept = await cli(["apply", "-f", smaller], { SHOP_KEY: "k-1" });
    expect(kept.stdout).toBe("no changes: the server already matches the files\n");
    const pruneDiff = await cli(["diff", "--prune", "-f", smaller], { SHOP_KEY: "k-1" });
    expect(pruneDiff.code).toBe(ExitCode.drift);
    const pruned = await cli(["apply", "--prune", "-f", smaller, "-o", "json"], {
      SHOP_KEY: "k-1",
    });
    expect(pruned.code).toBe(0);
    const body = JSON.parse(pruned.stdout) as { applied: boolean; changes: { kind: string }[] };
    expect(body.applied).toBe(true);
    expect(body.changes.map((c) => c.kind)).toEqual(["domain", "alias"]);
    const gone = await get(dev!.banner.proxyUrl, "/api/orders", "shop.example.com");
    expect(gone.status).toBe(404);
  });

  it("explains a file offline as the server explains it once the file is applied", async () => {
    const text = site(upstream.origin).replaceAll("shop", "docs");
    const path = await file("docs.yaml", text);
    const env = {
      SHOP_KEY: "k-1",
      SWITCHYARD_ALLOW_HTTP_TARGETS: "true",
      SWITCHYARD_ALLOW_PRIVATE_TARGETS: "127.0.0.0/8",
    };
    const applied = await cli(["apply", "-f", path], env);
    expect(applied.code).toBe(0);
    const requests = [
      ["docs.example.com", "/api/orders?page=2"],
      ["docs.example.com", "/static/site.css"],
      ["docs.example.com", "/nothing/here"],
      ["elsewhere.example.com", "/api/orders"],
    ];
    for (const [host, target] of requests) {
      const argv = ["-o", "json", "explain", "--host", host!, "--path", target!];
      const offline = await cli([...argv, "--file", path], env);
      const online = await cli(argv, env);
      expect(offline.stderr).toBe("");
      expect(online.code).toBe(0);
      const essentials = (out: string) => {
        const e = JSON.parse(out) as Record<string, unknown> & {
          rule?: { pathPattern: string };
          passedOver?: { rule: { pathPattern: string }; reason: string }[];
          policy?: Record<string, unknown>;
        };
        return {
          outcome: e["outcome"],
          status: e["status"],
          upstreamUrl: e["upstreamUrl"],
          rule: e.rule?.pathPattern,
          passedOver: e.passedOver?.map((p) => [p.rule.pathPattern, p.reason]),
          policy: e.policy,
        };
      };
      expect(essentials(offline.stdout), `${host}${target}`).toEqual(essentials(online.stdout));
    }
  });
});
