import type { Ranked } from "./segment-trie.js";

/**
 * The suffix patterns (`*.json`) of one scope in a trie over their characters
 * read backwards, so one walk from the end of the path finds every suffix it ends
 * with. A suffix never contains "/", so the walk stops at the last "/" at the latest.
 */
export class SuffixTrie<C extends Ranked> {
  readonly #root = new SuffixNode<C>();
  /** The lowest rank of any suffix rule, to skip the walk when it cannot win. */
  minRank = Number.POSITIVE_INFINITY;

  add(suffix: string, candidate: C): void {
    if (candidate.rank < this.minRank) this.minRank = candidate.rank;
    let node = this.#root;
    for (let i = suffix.length - 1; i >= 0; i--) {
      const code = suffix.charCodeAt(i);
      node.children ??= new Map();
      let child = node.children.get(code);
      if (!child) {
        child = new SuffixNode();
        node.children.set(code, child);
      }
      node = child;
    }
    if (!node.rule || candidate.rank < node.rule.rank) node.rule = candidate;
  }

  /** The lowest-ranked suffix rule `path` ends with, if its rank is below `best`'s, else `best`. */
  best(path: string, best: C | undefined): C | undefined {
    if (best !== undefined && this.minRank >= best.rank) return best;
    let node: SuffixNode<C> | undefined = this.#root;
    for (let i = path.length - 1; i >= 0 && node.children !== undefined; i--) {
      node = node.children.get(path.charCodeAt(i));
      if (node === undefined) break;
      const { rule } = node;
      if (rule !== undefined && (best === undefined || rule.rank < best.rank)) best = rule;
    }
    return best;
  }
}

class SuffixNode<C extends Ranked> {
  rule: C | undefined = undefined;
  children: Map<number, SuffixNode<C>> | undefined = undefined;
}
