import type { PathPattern, PatternMatch } from "@switchyard/policy";
import type { Resolution, RouteMatch } from "./resolution.js";
import type { RouteRule } from "./route-input.js";

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * One enabled rule with a valid pattern, as a route table holds it: its rank in
 * its rule set (0 answers first) and what resolve returns when it wins.
 */
export class Candidate<R extends RouteRule, T> {
  /**
   * The answer when it does not depend on the path (no `:name` captures, and no
   * `*` segment before a trailing `/*`), built once so resolve allocates nothing.
   */
  readonly #fixed: Resolution<R, T> | undefined;
  /** Per pattern segment, the parameter name it captures, or undefined. */
  readonly #captures: readonly (string | undefined)[];
  readonly #prefix: boolean;

  /**
   * @param unavailable why `prepare` failed for this rule; the rule then still
   *   wins what it matches, and resolve reports it unavailable.
   */
  constructor(
    readonly rule: R,
    pattern: PathPattern,
    readonly rank: number,
    readonly prepared: T,
    unavailable: string | undefined,
  ) {
    const segments = pattern.kind === "segments" ? pattern.segments : [];
    this.#prefix = pattern.kind === "segments" && pattern.prefix;
    this.#captures = segments.map((s) => (s.kind === "param" ? s.name : undefined));
    const hasParams = segments.some((s) => s.kind === "param");
    const allLiteral = segments.every((s) => s.kind === "literal");
    if (unavailable !== undefined) {
      this.#fixed = { kind: "rule-unavailable", rule, error: unavailable };
    } else if (!hasParams && (!this.#prefix || allLiteral)) {
      // An all-literal prefix always ends at the same place: "/" + the literals joined.
      const prefixEnd = this.#prefix
        ? segments.reduce((end, s) => end + (s.kind === "literal" ? s.value.length : 0) + 1, 0)
        : 0;
      this.#fixed = this.#match({ params: NO_PARAMS, prefixEnd });
    }
  }

  /** The answer for a path this candidate's pattern matches. */
  resolution(path: string): Resolution<R, T> {
    return this.#fixed ?? this.#match(this.#capture(path));
  }

  #match(patternMatch: PatternMatch): RouteMatch<R, T> {
    const { rule, prepared } = this;
    return { kind: "match", rule, prepared, params: patternMatch.params, patternMatch };
  }

  /** Walks the path by index, as `matchPathPattern` splits it; only for the winner. */
  #capture(path: string): PatternMatch {
    let params: Record<string, string> | undefined;
    let start = 1; // where the current segment begins, just after its "/"
    for (const name of this.#captures) {
      let end = path.indexOf("/", start);
      if (end === -1) end = path.length;
      if (name !== undefined) {
        params ??= {};
        params[name] = path.slice(start, end);
      }
      start = end + 1;
    }
    return { params: params ?? NO_PARAMS, prefixEnd: this.#prefix ? start - 1 : 0 };
  }
}
