import type { RouteRule } from "./route-input.js";

/**
 * Match order within one scope (DESIGN.md §4.3): lowest `order` first; equal
 * orders: the older rule (`create_time`) first; then the smaller id, so the order
 * is total and every worker picks the same rule.
 *
 * An unset `order` sorts after every set one, as the API places a rule created
 * without one after the last rule of its scope. An unset `create_time` counts as
 * the epoch.
 */
export function compareRules(a: RouteRule, b: RouteRule): number {
  const orderA = a.order ?? Number.POSITIVE_INFINITY;
  const orderB = b.order ?? Number.POSITIVE_INFINITY;
  if (orderA !== orderB) return orderA < orderB ? -1 : 1;
  const secondsA = a.createTime?.seconds ?? 0n;
  const secondsB = b.createTime?.seconds ?? 0n;
  if (secondsA !== secondsB) return secondsA < secondsB ? -1 : 1;
  const nanosA = a.createTime?.nanos ?? 0;
  const nanosB = b.createTime?.nanos ?? 0;
  if (nanosA !== nanosB) return nanosA < nanosB ? -1 : 1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}
