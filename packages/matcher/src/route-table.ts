import type { CompileError } from "./compile-error.js";
import type { HostTable } from "./host-table.js";
import { type Resolution, UNKNOWN_HOST } from "./resolution.js";
import type { RouteRule } from "./route-input.js";
import type { RuleSet } from "./rule-set.js";
import type { Scope } from "./scope.js";

/**
 * A compiled snapshot: answers which rule handles a request. Immutable; a worker
 * swaps in a new table when the config changes, and requests in flight keep the
 * one they started with.
 */
export class RouteTable<R extends RouteRule = RouteRule, T = undefined> {
  readonly #hosts: HostTable<Scope<R, T>>;
  readonly #ruleSets: readonly RuleSet<R, T>[];

  /** @internal Built by `compileRouteTable`. */
  constructor(
    hosts: HostTable<Scope<R, T>>,
    ruleSets: readonly RuleSet<R, T>[],
    /** The snapshot's revision (0n when the input had none). */
    readonly revision: bigint,
    /** Rules and domains left out of the table, or whose `prepare` failed; empty when all is well. */
    readonly errors: readonly CompileError[],
    /** How many rules can match: enabled, with a valid pattern. */
    readonly ruleCount: number,
  ) {
    this.#hosts = hosts;
    this.#ruleSets = ruleSets;
  }

  /**
   * Every rule the table can answer with and what `prepare` returned for it, scope
   * by scope in match order; rules whose `prepare` threw are left out (they are in
   * `errors`). With `CompileOptions.previous`, `prepare` does not run again for the
   * rules taken over, so this is where to find everything the table uses (upstream
   * pools, say).
   */
  *rules(): IterableIterator<{ readonly rule: R; readonly prepared: T }> {
    for (const set of this.#ruleSets) {
      for (const { rule, prepared, unavailable } of set.candidates) {
        if (unavailable === undefined) yield { rule, prepared };
      }
    }
  }

  /**
   * The rule that handles a request: Host → domain → scope, then the first rule in
   * match order whose pattern matches `path`.
   *
   * @param host the `Host` header (or `:authority`) as received: any case, with or
   *   without a port or a trailing dot.
   * @param method the request method. It does not choose the rule: a rule whose
   *   `allowed_methods` exclude it still wins, and the worker answers 405 with
   *   `Allow` (DESIGN.md §4.4), rather than letting a later rule serve the path.
   *   Taken so method-specific routing can be added without changing callers.
   * @param path the normalised path (DESIGN.md §4.1), without the query.
   */
  // biome-ignore lint/correctness/noUnusedFunctionParameters: in the signature for callers, unused until routing by method
  resolve(host: string, method: string, path: string): Resolution<R, T> {
    const scope = this.#hosts.get(host);
    if (scope === undefined) return UNKNOWN_HOST;
    const winner = scope.first(path);
    return winner === undefined ? scope.noRule : winner.resolution(path);
  }
}
