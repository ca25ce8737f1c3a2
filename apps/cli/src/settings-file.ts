import { readFile } from "node:fs/promises";
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { CliError } from "./cli-error.js";
import { ExitCode } from "./exit-codes.js";

/** A settings file that cannot be used; the message names the file and the key. Exit code 2. */
export class SettingsFileError extends CliError {
  override name = "SettingsFileError";
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** What a settings file may contain and where `${VAR}` takes its values. */
export interface SettingsFileOptions {
  /** The setting names the command reads; any other key is an error. */
  known: readonly string[];
  /** Variables for `${VAR}` interpolation (the process environment). */
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * Reads a YAML settings file (`--config FILE`) whose keys are setting names, e.g.
 * `SWITCHYARD_API_PORT: 8081`. See {@link parseSettingsFile}.
 */
export async function loadSettingsFile(
  path: string,
  options: SettingsFileOptions,
): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const why =
      (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message;
    throw new SettingsFileError(`--config: cannot read ${path}: ${why}`);
  }
  return parseSettingsFile(text, path, options);
}

/**
 * Parses a settings file. Every scalar is read as written (YAML's failsafe schema),
 * so `0123` stays `0123` and a long token never becomes a rounded number; a list
 * becomes a comma-separated value. Unknown keys are an error (as envoyproxy/ratelimit
 * does: a typo must not pass silently). `${VAR}` is replaced by the variable, as in
 * Backstage app-config, and `$${` writes a literal `${`; unlike Backstage, an unset
 * variable is an error rather than a silently missing setting.
 */
export function parseSettingsFile(
  text: string,
  path: string,
  options: SettingsFileOptions,
): Record<string, string> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    schema: "failsafe",
    uniqueKeys: true,
    prettyErrors: false,
    lineCounter,
  });
  const problem = doc.errors[0];
  if (problem) {
    const { line, col } = lineCounter.linePos(problem.pos[0]);
    const where = `:${line}:${col}`;
    throw new SettingsFileError(`${path}${where}: ${problem.message.split("\n")[0]}`);
  }
  const root = doc.contents;
  if (root === null) return {};
  if (!isMap(root)) {
    throw new SettingsFileError(
      `${path}: must be a mapping of setting names to values, e.g. SWITCHYARD_API_PORT: 8081`,
    );
  }
  const known = new Set(options.known);
  const settings: Record<string, string> = {};
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (!known.has(key)) {
      throw new SettingsFileError(
        `${path}: unknown setting ${key} (known: ${[...known].join(", ")})`,
      );
    }
    const value = pair.value;
    let raw: string;
    if (value === null || (isScalar(value) && value.type === "PLAIN" && value.value === "")) {
      continue; // `KEY:` with nothing after it leaves the setting unset
    } else if (isScalar(value)) {
      raw = String(value.value);
    } else if (isSeq(value) && value.items.every((item) => isScalar(item))) {
      raw = value.items.map((item) => String(isScalar(item) ? item.value : "")).join(",");
    } else {
      throw new SettingsFileError(
        `${path}: ${key} must be a value or a list of values, not a mapping`,
      );
    }
    settings[key] = interpolate(raw, key, path, options.env);
  }
  return settings;
}

const reference = /\$(\$?)\{([^}]*)\}/g;
const variableName = /^[A-Za-z_][A-Za-z0-9_]*$/;

function interpolate(
  value: string,
  key: string,
  path: string,
  env: SettingsFileOptions["env"],
): string {
  return value.replace(reference, (whole, escaped: string, name: string) => {
    if (escaped) return whole.slice(1);
    if (!variableName.test(name)) {
      throw new SettingsFileError(
        `${path}: ${key}: "\${${name}}" is not a variable reference (\${NAME})`,
      );
    }
    const resolved = env[name];
    if (resolved === undefined) {
      throw new SettingsFileError(`${path}: ${key}: environment variable ${name} is not set`);
    }
    return resolved;
  });
}

/**
 * The settings a server parses: the file's, overridden by the environment. An
 * empty environment variable counts as unset (as the servers read it), so it
 * does not hide the file's value.
 */
export function mergeSettings(
  file: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = { ...file };
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value !== "") merged[name] = value;
  }
  return merged;
}

/** Help text of `--config`, shared by every command that runs a server. */
export const settingsFileHelp = `Settings:
  Read from the environment and, with --config FILE, from a YAML file whose keys
  are the setting names, e.g.

    SWITCHYARD_API_PORT: 8081
    SWITCHYARD_DATABASE_URL: \${DATABASE_URL}

  \${VAR} in a value is replaced by that environment variable (an unset one is an
  error); $\${ writes a literal \${. Unknown keys are an error.
  The environment overrides the file.`;
