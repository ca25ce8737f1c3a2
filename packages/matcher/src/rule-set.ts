import type { PathPattern } from "@switchyard/policy";
import type { Candidate } from "./candidate.js";
import { compareRules } from "./compare-rules.js";
import type { RouteRule } from "./route-input.js";
import { SegmentTrie } from "./segment-trie.js";
import { SuffixTrie } from "./suffix-trie.js";

/** A rule whose pattern parsed. */
export interface ParsedRule<R extends RouteRule> {
  readonly rule: R;
  readonly pattern: PathPattern;
}

/** Builds a candidate for a rule once its rank in its rule set is known. */
export type MakeCandidate<R extends RouteRule, T> = (
  parsed: ParsedRule<R>,
  rank: number,
) => Candidate<R, T>;

/**
 * The enabled, valid rules of one scope (a project's defaults, or one alias),
 * compiled so that finding the first match costs about the same for 10 rules as
 * for 100 000: a segment trie for `/` patterns and a suffix trie for `*.ext`.
 */
export class RuleSet<R extends RouteRule, T> {
  readonly #segments = new SegmentTrie<Candidate<R, T>>();
  readonly #suffixes = new SuffixTrie<Candidate<R, T>>();
  /** How many rules the set holds. */
  readonly size: number;

  constructor(rules: readonly ParsedRule<R>[], make: MakeCandidate<R, T>) {
    const sorted = [...rules].sort((a, b) => compareRules(a.rule, b.rule));
    for (const [rank, parsed] of sorted.entries()) {
      const candidate = make(parsed, rank);
      const { pattern } = parsed;
      if (pattern.kind === "suffix") this.#suffixes.add(pattern.suffix, candidate);
      else this.#segments.add(pattern.segments, pattern.prefix, candidate);
    }
    this.#segments.seal();
    this.size = sorted.length;
  }

  /** The first rule in match order whose pattern matches the normalised `path`. */
  first(path: string): Candidate<R, T> | undefined {
    return this.#suffixes.best(path, this.#segments.best(path, undefined));
  }
}
