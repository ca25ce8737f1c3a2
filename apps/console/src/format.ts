import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";

/** A timestamp as `2026-12-06 13:52:06 UTC`; "—" when unset. */
export function formatTime(ts: Timestamp | undefined): string {
  if (ts === undefined) return "—";
  return timestampDate(ts)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
}

/** A duration in milliseconds as `850 ms`, `7.2 s` or `3 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** An enum value's name without its prefix, lower case: `AUTH_MODE_JWT` → `jwt`. */
export function enumLabel(names: Record<number, string>, value: number, prefix: string): string {
  const name = names[value];
  if (name === undefined) return String(value);
  return name.replace(prefix, "").toLowerCase().replaceAll("_", " ");
}
