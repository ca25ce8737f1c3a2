import { DEV_DEFAULTS, type DevDefault } from "./dev-settings.js";

/** What the banner of `switchyard dev` shows. */
export interface DevBannerInput {
  readonly proxyUrl: string;
  readonly apiUrl: string;
  readonly adminUrl: string;
  readonly adminToken: string;
  /** The file the token is kept in; undefined when it came from SWITCHYARD_ADMIN_TOKEN. */
  readonly adminTokenFile: string | undefined;
  /** Where the embedded database lives; undefined with SWITCHYARD_DATABASE_URL. */
  readonly dataDir: string | undefined;
  readonly defaulted: readonly DevDefault[];
  /** Settings given that dev does not use (SWITCHYARD_REDIS_URL: its config bus is in memory). */
  readonly ignored?: readonly string[];
}

/** Why each laptop default is on, in one line. */
const DEFAULT_NOTES: Partial<Record<DevDefault, string>> = {
  SWITCHYARD_ALLOW_HTTP_TARGETS: "rules may target http:// URLs",
  SWITCHYARD_ALLOW_PRIVATE_TARGETS: "rules may target this machine",
};

/**
 * The lines `switchyard dev` prints on standard error once it serves: where each server
 * listens, the admin token, the laptop defaults in effect, and two lines to paste into a
 * shell so the CLI talks to this process.
 */
export function devBanner(input: DevBannerInput): string {
  const store = input.dataDir === undefined ? "" : `, data in ${input.dataDir}`;
  const kept =
    input.adminTokenFile === undefined
      ? "from SWITCHYARD_ADMIN_TOKEN"
      : `kept in ${input.adminTokenFile}`;
  const lines = [
    `switchyard dev: control plane and worker in one process${store}`,
    `  proxy        ${input.proxyUrl}`,
    `  API          ${input.apiUrl}`,
    `  console      ${input.apiUrl}/ (sign in with the admin token)`,
    `  admin        ${input.adminUrl} (/healthz /readyz /metrics)`,
    `  admin token  ${input.adminToken} (${kept})`,
  ];
  for (const name of input.defaulted) {
    const note = DEFAULT_NOTES[name];
    if (note) lines.push(`  dev default  ${note}: ${name}=${DEV_DEFAULTS[name]}`);
  }
  for (const name of input.ignored ?? []) {
    lines.push(`  ignored      ${name}: dev keeps config and rate limits in memory`);
  }
  lines.push(
    "For the CLI:",
    `  export SWITCHYARD_SERVER=${shellWord(input.apiUrl)}`,
    `  export SWITCHYARD_TOKEN=${shellWord(input.adminToken)}`,
  );
  return `${lines.join("\n")}\n`;
}

/** `value` as one POSIX shell word: as is when safe, else single-quoted. */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9_\-.,:/=@%+]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
