import { isRecord } from "./import-result.js";

/**
 * Several app-config files as Backstage reads them (`--config a.yaml --config b.yaml`):
 * later files win; mappings merge key by key, at any depth; lists and scalars are
 * replaced whole.
 */
export function mergeAppConfigs(configs: readonly unknown[]): unknown {
  return configs.reduce((merged, next) => merge(merged, next), undefined);
}

function merge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isRecord(base) || !isRecord(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = merge(base[key], value);
  return out;
}
