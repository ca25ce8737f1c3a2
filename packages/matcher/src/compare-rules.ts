import type { RouteRule } from "./route-input.js";

/** What orders a rule within its scope, in plain numbers so sorting is cheap. */
export interface MatchOrderKey {
  readonly order: number;
  readonly seconds: number;
  readonly nanos: number;
  readonly id: string;
}

/**
 * A rule's place in match order (DESIGN.md §4.3): lowest `order` first; equal
 * orders: the older rule (`create_time`) first; then the smaller id, so the order
 * is total and every worker picks the same rule.
 *
 * An unset `order` sorts after every set one, as the API places a rule created
 * without one after the last rule of its scope. An unset `create_time` counts as
 * the epoch.
 */
export function matchOrderKey(rule: RouteRule): MatchOrderKey {
  return {
    order: rule.order ?? Number.POSITIVE_INFINITY,
    // Exact: a timestamp's seconds (years 1..9999) are far below 2^53.
    seconds: Number(rule.createTime?.seconds ?? 0n),
    nanos: rule.createTime?.nanos ?? 0,
    id: rule.id,
  };
}

/** Compares two match order keys: negative when `a` answers first. */
export function compareMatchOrderKeys(a: MatchOrderKey, b: MatchOrderKey): number {
  if (a.order !== b.order) return a.order < b.order ? -1 : 1;
  if (a.seconds !== b.seconds) return a.seconds - b.seconds;
  if (a.nanos !== b.nanos) return a.nanos - b.nanos;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}

/** Compares two rules of one scope in match order: negative when `a` answers first. */
export function compareRules(a: RouteRule, b: RouteRule): number {
  return compareMatchOrderKeys(matchOrderKey(a), matchOrderKey(b));
}
