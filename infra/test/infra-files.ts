import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

/** The repository root. */
export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
/** infra/. */
export const infraDir = join(repoRoot, "infra");

/** Folders of infra/ that hold no deployment files: this package's own tests and installs. */
const NOT_DEPLOYMENT = new Set(["node_modules", "test", ".turbo"]);

/**
 * Every file operators use, relative to the repository root: infra/** (with infra/lb/** when it
 * exists) and docs/deploy.md, without this package's own tests, package.json and configs.
 */
export function deploymentFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (NOT_DEPLOYMENT.has(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(relative(repoRoot, path));
    }
  };
  walk(infraDir);
  const own = new Set(["infra/package.json", "infra/tsconfig.json", "infra/vitest.config.ts"]);
  const deployDoc = "docs/deploy.md";
  return [...files.filter((file) => !own.has(file)), deployDoc].sort();
}

export function readRepoFile(path: string): string {
  return readFileSync(join(repoRoot, path), "utf8");
}

/** A Kubernetes object as parsed from YAML. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  // biome-ignore lint/suspicious/noExplicitAny: manifests are checked field by field in the tests
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: any };
  // biome-ignore lint/suspicious/noExplicitAny: as above
  [field: string]: any;
}

/** Every document of a YAML text; a syntax error anywhere throws, naming the file. */
export function parseYamlDocuments(text: string, file: string): unknown[] {
  return parseAllDocuments(text, { merge: true }).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
    return doc.toJS();
  });
}

/** `kubectl`'s path when it is installed (it carries kustomize), else undefined. */
export function kubectl(): string | undefined {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return "kubectl";
  } catch {
    return undefined;
  }
}

/** Values the secrets.env files would hold: well-formed, random, never committed. */
export function exampleSecrets(): Record<string, string> {
  const postgresPassword = randomBytes(16).toString("hex");
  return {
    SWITCHYARD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
    SWITCHYARD_ADMIN_TOKEN: randomBytes(24).toString("hex"),
    POSTGRES_PASSWORD: postgresPassword,
    SWITCHYARD_DATABASE_URL: `postgres://switchyard:${postgresPassword}@postgres:5432/switchyard`,
  };
}

/** The keys of an env file (`NAME=value` lines, `#` comments). */
export function envFileKeys(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => line.slice(0, line.indexOf("=")));
}

/** The overlays under infra/k8s/overlays. */
export function overlays(): string[] {
  return readdirSync(join(infraDir, "k8s/overlays")).sort();
}

/**
 * Renders an overlay with `kubectl kustomize`, in a copy of infra/k8s whose secrets.env files
 * (ignored by git, written by the operator) hold {@link exampleSecrets} for the keys of their
 * secrets.env.example.
 */
export function renderOverlay(kubectlPath: string, overlay: string): K8sObject[] {
  const copy = mkdtempSync(join(tmpdir(), "switchyard-k8s-"));
  try {
    return renderCopy(kubectlPath, copy, overlay);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

function renderCopy(kubectlPath: string, copy: string, overlay: string): K8sObject[] {
  cpSync(join(infraDir, "k8s"), copy, { recursive: true });
  const dir = join(copy, "overlays", overlay);
  const example = join(dir, "secrets.env.example");
  if (existsSync(example)) {
    const values = exampleSecrets();
    const lines = envFileKeys(readFileSync(example, "utf8")).map((key) => {
      const value = values[key];
      if (value === undefined)
        throw new Error(`${overlay}/secrets.env.example: no test value for ${key}`);
      return `${key}=${value}`;
    });
    writeFileSync(join(dir, "secrets.env"), `${lines.join("\n")}\n`);
  }
  const text = execFileSync(kubectlPath, ["kustomize", dir], { encoding: "utf8" });
  return parseYamlDocuments(text, `overlays/${overlay}`).filter(Boolean) as K8sObject[];
}

/** A compose service, as far as the tests read it. */
export interface ComposeService {
  readonly image?: string;
  readonly command?: string[];
  readonly environment?: Record<string, string>;
  readonly healthcheck?: { readonly test: string[] };
  readonly depends_on?: Record<string, { readonly condition: string }>;
  readonly volumes?: (string | { readonly type: string; readonly source?: string })[];
  readonly build?: { readonly context: string; readonly dockerfile: string };
  readonly stop_grace_period?: string;
}

/** infra/compose/docker-compose.yml, merge keys (`<<: *worker`) resolved. */
export function readCompose(): {
  readonly services: Record<string, ComposeService>;
  readonly [extension: string]: unknown;
} {
  const file = "infra/compose/docker-compose.yml";
  return parseYamlDocuments(readRepoFile(file), file)[0] as ReturnType<typeof readCompose>;
}
