import type { Candidate } from "./candidate.js";
import type { RouteNoRule } from "./resolution.js";
import type { RouteRule } from "./route-input.js";
import type { RuleSet } from "./rule-set.js";
import type { SegmentNode } from "./segment-trie.js";
import type { SuffixNode } from "./suffix-trie.js";

/**
 * Where a domain's requests look for rules (DESIGN.md §4.2): one rule set, or an
 * alias's rules then the project defaults (`inherit_project_rules`). Every rule
 * of the first set answers before any of the second, so searching them in turn is
 * the same as searching them merged, without copying the defaults into every
 * alias. The first set's trie roots are held here directly: one memory read less
 * per request.
 */
export class Scope<R extends RouteRule, T> {
  readonly #segments: SegmentNode<Candidate<R, T>> | undefined;
  readonly #suffixes: SuffixNode<Candidate<R, T>> | undefined;
  readonly #then: RuleSet<R, T> | undefined;

  constructor(
    first: RuleSet<R, T> | undefined,
    then: RuleSet<R, T> | undefined,
    /** Built once per scope, returned when nothing matches. */
    readonly noRule: RouteNoRule,
  ) {
    this.#segments = first?.segments;
    this.#suffixes = first?.suffixes;
    this.#then = then;
  }

  /** The first rule in match order whose pattern matches the normalised `path`. */
  first(path: string): Candidate<R, T> | undefined {
    let best = this.#segments?.best(path, undefined);
    if (this.#suffixes !== undefined) best = this.#suffixes.best(path, best);
    return best ?? this.#then?.first(path);
  }
}

/** Where a scope's rules come from: the alias's own rules, or the project defaults. */
export type ScopeSource = "alias" | "project";

/**
 * The rule sets a domain's requests search, in order (DESIGN.md §4.2): a domain without
 * alias, or whose alias has no rules (enabled or not), uses the project defaults; an
 * alias's rules replace them, or come first and then them with `inherit_project_rules`.
 */
export function scopeChain(
  aliasId: string,
  aliasHasRules: boolean,
  inheritProjectRules: boolean,
): readonly ScopeSource[] {
  if (aliasId === "" || !aliasHasRules) return PROJECT_ONLY;
  return inheritProjectRules ? ALIAS_THEN_PROJECT : ALIAS_ONLY;
}

const PROJECT_ONLY: readonly ScopeSource[] = Object.freeze(["project"]);
const ALIAS_ONLY: readonly ScopeSource[] = Object.freeze(["alias"]);
const ALIAS_THEN_PROJECT: readonly ScopeSource[] = Object.freeze(["alias", "project"]);
