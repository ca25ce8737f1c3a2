/**
 * What the matcher reads from a config snapshot. A protobuf `ConfigSnapshot` from
 * `@switchyard/api` satisfies these types as it is, so a worker passes what it
 * received; tests and benchmarks may pass plain objects.
 */

/** The fields of a `Rule` that decide whether it matches. */
export interface RouteRule {
  readonly id: string;
  readonly projectId: string;
  /** Empty or unset: a project default rule. */
  readonly aliasId?: string;
  readonly pathPattern: string;
  /** Lowest wins. Unset: after every rule of its scope that has one (as on create). */
  readonly order?: number;
  /** Default true. */
  readonly enabled?: boolean;
  /** Equal orders: the older rule wins. Unset counts as the epoch (oldest). */
  readonly createTime?: { readonly seconds: bigint; readonly nanos: number };
}

/** The fields of an `Alias` the matcher reads. */
export interface RouteAlias {
  readonly id: string;
  readonly projectId: string;
  /** Default false: an alias with rules replaces the project defaults. */
  readonly inheritProjectRules?: boolean;
}

/** The fields of a `Domain` the matcher reads. */
export interface RouteDomain {
  /** Exact host, or `*.` followed by a suffix (which does not cover the apex). */
  readonly host: string;
  readonly projectId: string;
  /** Empty or unset: the project's default rules. */
  readonly aliasId?: string;
}

/** A config snapshot, or just the parts of one that routing needs. */
export interface RouteInput<R extends RouteRule = RouteRule> {
  /** Default 0n. */
  readonly revision?: bigint;
  readonly domains: readonly RouteDomain[];
  /** Default none: every alias inherits nothing. */
  readonly aliases?: readonly RouteAlias[];
  readonly rules: readonly R[];
}
