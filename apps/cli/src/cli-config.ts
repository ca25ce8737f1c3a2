import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseDocument, stringify } from "yaml";
import { UsageError } from "./usage-error.js";

/**
 * The CLI's own config file: named contexts (a control plane's URL and a token) and the one
 * in use, like kubeconfig's contexts or gh's hosts.yml. Tokens live here, mode 0600, instead
 * of in the environment or the shell's history.
 *
 * ```yaml
 * current-context: prod
 * contexts:
 *   prod:
 *     server: https://switchyard.example.com
 *     token: sy_…
 * ```
 */
export interface CliConfig {
  /** The context commands use when `--context` is not given; undefined when none is. */
  currentContext?: string | undefined;
  contexts: Record<string, CliContext>;
}

/** One control plane and the token to send it. */
export interface CliContext {
  server: string;
  /** Undefined for a control plane that needs none (a dev one without auth). */
  token?: string | undefined;
}

/**
 * Where the config file is: `--cli-config`, else SWITCHYARD_CLI_CONFIG, else
 * `$XDG_CONFIG_HOME/switchyard/config.yaml`, else `$HOME/.config/switchyard/config.yaml`;
 * undefined when neither variable is set (nothing is read then).
 */
export function cliConfigPath(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (flag !== undefined && flag !== "") return flag;
  if (env["SWITCHYARD_CLI_CONFIG"]) return env["SWITCHYARD_CLI_CONFIG"];
  const xdg = env["XDG_CONFIG_HOME"];
  if (xdg) return join(xdg, "switchyard", "config.yaml");
  const home = env["HOME"];
  return home ? join(home, ".config", "switchyard", "config.yaml") : undefined;
}

/** Bits that let anyone but the owner read or change the file. */
const GROUP_OR_OTHERS = 0o077;

/**
 * The config at `path`; an empty one when the file does not exist. Refuses, like ssh refuses
 * a private key others can read, a file the group or others can read or write: it holds
 * tokens, and fixing the mode silently would hide that they may have been read.
 */
export function readCliConfig(path: string): CliConfig {
  let text: string;
  try {
    if (process.platform !== "win32") {
      const mode = statSync(path).mode & 0o777;
      if ((mode & GROUP_OR_OTHERS) !== 0) {
        throw new UsageError(
          `${path}: holds tokens but its mode is ${mode.toString(8).padStart(4, "0")} (group or others may read it); run chmod 600 ${path}`,
        );
      }
    }
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { contexts: {} };
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${path}: cannot read: ${(error as Error).message}`);
  }
  return parseCliConfig(text, path);
}

/** Parses the YAML of a config file strictly: unknown keys are an error naming the key. */
export function parseCliConfig(text: string, path: string): CliConfig {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new UsageError(`${path}: not valid YAML: ${doc.errors[0]!.message}`);
  }
  const raw: unknown = doc.toJS() ?? {};
  if (!isRecord(raw)) throw new UsageError(`${path}: must be a mapping`);
  for (const key of Object.keys(raw)) {
    if (key !== "current-context" && key !== "contexts") {
      throw new UsageError(`${path}: unknown key ${key} (known: current-context, contexts)`);
    }
  }
  const contexts: Record<string, CliContext> = {};
  const rawContexts = raw["contexts"] ?? {};
  if (!isRecord(rawContexts)) throw new UsageError(`${path}: contexts must be a mapping`);
  for (const [name, value] of Object.entries(rawContexts)) {
    const where = `${path}: contexts.${name}`;
    if (!isRecord(value)) throw new UsageError(`${where} must be a mapping`);
    for (const key of Object.keys(value)) {
      if (key !== "server" && key !== "token") {
        throw new UsageError(`${where}: unknown key ${key} (known: server, token)`);
      }
    }
    if (typeof value["server"] !== "string" || value["server"] === "") {
      throw new UsageError(`${where}.server must be a URL`);
    }
    const token = value["token"];
    if (token !== undefined && token !== null && typeof token !== "string") {
      throw new UsageError(`${where}.token must be a string`);
    }
    contexts[name] = { server: value["server"], token: token || undefined };
  }
  const current = raw["current-context"];
  if (current !== undefined && current !== null && typeof current !== "string") {
    throw new UsageError(`${path}: current-context must be a context name`);
  }
  return { currentContext: current || undefined, contexts };
}

/**
 * Writes `config` to `path` with mode 0600 (its directory 0700 when made here): to a
 * temporary file first, renamed over the old one, so a crash never leaves half a file.
 */
export function writeCliConfig(path: string, config: CliConfig): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const document: Record<string, unknown> = {};
  if (config.currentContext !== undefined) document["current-context"] = config.currentContext;
  document["contexts"] = Object.fromEntries(
    Object.entries(config.contexts).map(([name, c]) => [
      name,
      c.token === undefined ? { server: c.server } : { server: c.server, token: c.token },
    ]),
  );
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, stringify(document), { mode: 0o600 });
  // The mode of `writeFileSync` passes through the umask; a umask never adds bits, but be exact.
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
