/** A part of Switchyard that reads settings; `tests` are the suites that need real services. */
export type Component = "control-plane" | "worker" | "cli" | "tests";

/**
 * Every SWITCHYARD_* setting (DESIGN.md §2) and the components that read it. Every process
 * accepts every name here, so one environment can serve the control plane, the workers and
 * the CLI; any other SWITCHYARD_* name is a typo and an error. A name read by no component
 * yet is in DESIGN.md and reserved, so an environment written for it does not fail.
 */
export const SWITCHYARD_SETTINGS = {
  SWITCHYARD_DATABASE_URL: ["control-plane"],
  SWITCHYARD_DATA_DIR: ["control-plane", "worker"],
  SWITCHYARD_REDIS_URL: ["control-plane", "worker"],
  SWITCHYARD_REDIS_CLUSTER_NODES: ["control-plane", "worker"],
  SWITCHYARD_HOST: ["control-plane", "worker"],
  SWITCHYARD_PROXY_PORT: ["worker"],
  SWITCHYARD_API_PORT: ["control-plane"],
  SWITCHYARD_ADMIN_PORT: ["control-plane", "worker"],
  SWITCHYARD_ADMIN_TOKEN: ["control-plane"],
  SWITCHYARD_ENCRYPTION_KEYS: ["control-plane", "worker"],
  SWITCHYARD_ALLOW_PRIVATE_TARGETS: ["control-plane", "worker"],
  SWITCHYARD_ALLOW_HTTP_TARGETS: ["control-plane", "worker"],
  SWITCHYARD_TRUST_PROXY: ["worker"],
  SWITCHYARD_UPSTREAM_CA_FILE: ["worker"],
  SWITCHYARD_MAX_BODY_BYTES: ["worker"],
  SWITCHYARD_MAX_HEADER_COUNT: ["worker"],
  SWITCHYARD_MAX_HEADER_BYTES: ["worker"],
  SWITCHYARD_IDLE_TIMEOUT_MS: ["worker"],
  SWITCHYARD_PATH_SEMICOLONS: ["worker"],
  SWITCHYARD_RATE_LIMIT: ["worker"],
  SWITCHYARD_RATE_LIMIT_ALLOW: ["worker"],
  SWITCHYARD_RATE_LIMIT_SKIP_SUCCESSFUL: ["worker"],
  SWITCHYARD_RATE_LIMIT_SKIP_FAILED: ["worker"],
  SWITCHYARD_RATE_LIMIT_ON_STORE_ERROR: ["worker"],
  SWITCHYARD_RATE_LIMIT_IPV6_PREFIX: ["worker"],
  SWITCHYARD_RATE_LIMIT_TIMEOUT_MS: ["worker"],
  SWITCHYARD_JWKS_URL: ["worker"],
  SWITCHYARD_JWT_ISSUER: ["worker"],
  SWITCHYARD_JWT_AUDIENCE: ["worker"],
  SWITCHYARD_JWT_CLOCK_TOLERANCE_S: ["worker"],
  SWITCHYARD_SERVICE_TOKENS: ["worker"],
  SWITCHYARD_LOG_LEVEL: ["control-plane", "worker"],
  SWITCHYARD_SERVER: ["cli"],
  SWITCHYARD_TOKEN: ["cli"],
  SWITCHYARD_CLI_CONFIG: ["cli"],
  SWITCHYARD_TEST_DATABASE_URL: ["tests"],
  SWITCHYARD_TEST_REDIS_URL: ["tests"],
} as const satisfies Record<`SWITCHYARD_${string}`, readonly Component[]>;

/** A name in {@link SWITCHYARD_SETTINGS}. */
export type SettingName = keyof typeof SWITCHYARD_SETTINGS;

/** The settings any of the components `C` reads. */
export type SettingReadBy<C extends Component> = {
  [N in SettingName]: C extends (typeof SWITCHYARD_SETTINGS)[N][number] ? N : never;
}[SettingName];

/** The settings any of `components` reads, in the order of {@link SWITCHYARD_SETTINGS}. */
export function settingsReadBy<C extends Component>(
  ...components: readonly C[]
): readonly SettingReadBy<C>[] {
  const readers = new Set<Component>(components);
  const names = Object.entries(SWITCHYARD_SETTINGS)
    .filter(([, readBy]) => readBy.some((component: Component) => readers.has(component)))
    .map(([name]) => name as SettingReadBy<C>);
  return Object.freeze(names);
}
