import type { PathPattern } from "@switchyard/policy";
import type { Candidate } from "./candidate.js";
import { compareMatchOrderKeys, matchOrderKey } from "./compare-rules.js";
import type { RouteRule } from "./route-input.js";
import { SegmentNode } from "./segment-trie.js";
import { SuffixNode } from "./suffix-trie.js";

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
  /** Trie roots; unset when the set has no rule of that kind, so resolve skips them. */
  readonly segments: SegmentNode<Candidate<R, T>> | undefined;
  readonly suffixes: SuffixNode<Candidate<R, T>> | undefined;
  /** How many rules the set holds. */
  readonly size: number;

  constructor(rules: readonly ParsedRule<R>[], make: MakeCandidate<R, T>) {
    const keyed = rules.map((parsed) => ({ parsed, key: matchOrderKey(parsed.rule) }));
    const sorted = keyed.sort((a, b) => compareMatchOrderKeys(a.key, b.key)).map((k) => k.parsed);
    let segments: SegmentNode<Candidate<R, T>> | undefined;
    let suffixes: SuffixNode<Candidate<R, T>> | undefined;
    for (const [rank, parsed] of sorted.entries()) {
      const candidate = make(parsed, rank);
      const { pattern } = parsed;
      if (pattern.kind === "suffix") {
        suffixes ??= new SuffixNode();
        suffixes.add(pattern.suffix, candidate);
      } else {
        segments ??= new SegmentNode();
        segments.add(pattern.segments, pattern.prefix, candidate);
      }
    }
    this.segments = segments;
    this.suffixes = suffixes;
    this.size = sorted.length;
  }

  /** The first rule in match order whose pattern matches the normalised `path`. */
  first(path: string): Candidate<R, T> | undefined {
    const best = this.segments?.best(path, undefined);
    return this.suffixes === undefined ? best : this.suffixes.best(path, best);
  }
}
