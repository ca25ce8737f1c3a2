import type { PathPattern, PatternMatch } from "@switchyard/policy";
import type { Resolution, RouteMatch } from "./resolution.js";
import type { RouteRule } from "./route-input.js";

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});
const NOTHING_CAPTURED: PatternMatch = Object.freeze({ params: NO_PARAMS, prefixEnd: 0 });

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
  /** Per pattern segment, the parameter name it captures, or undefined; unset without params. */
  readonly #captures: readonly (string | undefined)[] | undefined;
  readonly #segmentCount: number;
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
    readonly unavailable: string | undefined,
  ) {
    const segments = pattern.kind === "segments" ? pattern.segments : [];
    this.#prefix = pattern.kind === "segments" && pattern.prefix;
    this.#segmentCount = segments.length;
    const hasParams = segments.some((s) => s.kind === "param");
    const allLiteral = segments.every((s) => s.kind === "literal");
    if (hasParams) this.#captures = segments.map((s) => (s.kind === "param" ? s.name : undefined));
    if (unavailable !== undefined) {
      this.#fixed = { kind: "rule-unavailable", rule, error: unavailable };
    } else if (!hasParams && (!this.#prefix || allLiteral)) {
      // An all-literal prefix always ends at the same place: "/" + the literals joined.
      const prefixEnd = this.#prefix
        ? segments.reduce((end, s) => end + (s.kind === "literal" ? s.value.length : 0) + 1, 0)
        : 0;
      const patternMatch = prefixEnd === 0 ? NOTHING_CAPTURED : { params: NO_PARAMS, prefixEnd };
      // Not built by #match on purpose: V8 moves the objects of an allocation site
      // whose objects tend to live long straight to the old generation, and these
      // live as long as the table while those of #match die with the request.
      this.#fixed = { kind: "match", rule, prepared, params: NO_PARAMS, patternMatch };
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
    for (let i = 0; i < this.#segmentCount; i++) {
      let end = path.indexOf("/", start);
      if (end === -1) end = path.length;
      const name = this.#captures?.[i];
      if (name !== undefined) {
        params ??= {};
        params[name] = path.slice(start, end);
      }
      start = end + 1;
    }
    return { params: params ?? NO_PARAMS, prefixEnd: this.#prefix ? start - 1 : 0 };
  }
}
