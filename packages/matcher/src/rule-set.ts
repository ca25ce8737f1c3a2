import type { PathPattern } from "@switchyard/policy";
import type { Candidate } from "./candidate.js";
import { compareMatchOrderKeys, matchOrderKey } from "./compare-rules.js";
import type { RouteRule } from "./route-input.js";
import { SegmentNode } from "./segment-trie.js";
import { SuffixNode } from "./suffix-trie.js";

/** How a rule set gets each rule's pattern (undefined: left out) and its candidate. */
export interface RuleCompiler<R extends RouteRule, T> {
  pattern(rule: R): PathPattern | undefined;
  candidate(rule: R, pattern: PathPattern, rank: number): Candidate<R, T>;
}

/**
 * The enabled, valid rules of one scope (a project's defaults, or one alias),
 * compiled so that finding the first match costs about the same for 10 rules as
 * for 100 000: a segment trie for `/` patterns and a suffix trie for `*.ext`.
 */
export class RuleSet<R extends RouteRule, T> {
  /** Trie roots; unset when the set has no rule of that kind, so resolve skips them. */
  readonly segments: SegmentNode<Candidate<R, T>> | undefined;
  readonly suffixes: SuffixNode<Candidate<R, T>> | undefined;
  /** The set's rules in match order, for `RouteTable.rules`. */
  readonly candidates: readonly Candidate<R, T>[];

  /**
   * Sorts the scope's enabled rules, then parses and inserts them one by one, so
   * that what parsing leaves behind dies young instead of being carried through
   * the garbage collector's young generation.
   */
  constructor(rules: readonly R[], compiler: RuleCompiler<R, T>) {
    const sorted = rules
      .filter((rule) => rule.enabled !== false)
      .map((rule) => ({ rule, key: matchOrderKey(rule) }))
      .sort((a, b) => compareMatchOrderKeys(a.key, b.key));
    let segments: SegmentNode<Candidate<R, T>> | undefined;
    let suffixes: SuffixNode<Candidate<R, T>> | undefined;
    const candidates: Candidate<R, T>[] = [];
    for (const [rank, { rule }] of sorted.entries()) {
      const pattern = compiler.pattern(rule);
      if (pattern === undefined) continue;
      const candidate = compiler.candidate(rule, pattern, rank);
      candidates.push(candidate);
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
    this.candidates = candidates;
  }

  /** How many rules the set holds. */
  get size(): number {
    return this.candidates.length;
  }

  /** The first rule in match order whose pattern matches the normalised `path`. */
  first(path: string): Candidate<R, T> | undefined {
    const best = this.segments?.best(path, undefined);
    return this.suffixes === undefined ? best : this.suffixes.best(path, best);
  }
}
