import type { Ranked } from "./segment-trie.js";

/** Children up to this many are scanned in place; more go in a Map. */
const INLINE_CHILDREN = 8;

/**
 * A node of the trie that holds one rule set's suffix patterns (`*.json`) by
 * their characters read backwards, so one walk from the end of the path finds
 * every suffix it ends with. A suffix never contains "/", so the walk stops at the
 * last "/" at the latest.
 */
export class SuffixNode<C extends Ranked> {
  /** The lowest rank below this node; on the root, lets a search skip the walk. */
  minRank = Number.POSITIVE_INFINITY;
  ruleRank = Number.POSITIVE_INFINITY;
  rule: C | undefined = undefined;
  /** Up to INLINE_CHILDREN children in one array, two slots each: character code, node. */
  inline: (number | SuffixNode<C>)[] | undefined = undefined;
  /** Children when there are more. */
  map: Map<number, SuffixNode<C>> | undefined = undefined;

  /** Adds a suffix rule below this node (the root). */
  add(suffix: string, candidate: C): void {
    const { rank } = candidate;
    let node: SuffixNode<C> = this;
    if (rank < node.minRank) node.minRank = rank;
    for (let i = suffix.length - 1; i >= 0; i--) {
      node = node.#child(suffix.charCodeAt(i));
      if (rank < node.minRank) node.minRank = rank;
    }
    if (rank < node.ruleRank) {
      node.ruleRank = rank;
      node.rule = candidate;
    }
  }

  /** The lowest-ranked suffix rule `path` ends with, if it ranks below `best`; else `best`. */
  best(path: string, best: C | undefined): C | undefined {
    let bestRank = best === undefined ? Number.POSITIVE_INFINITY : best.rank;
    let node: SuffixNode<C> | undefined = this;
    for (let i = path.length - 1; i >= 0 && node.minRank < bestRank; i--) {
      node = node.#next(path.charCodeAt(i));
      if (node === undefined) break;
      if (node.ruleRank < bestRank) {
        best = node.rule;
        bestRank = node.ruleRank;
      }
    }
    return best;
  }

  #next(code: number): SuffixNode<C> | undefined {
    const { inline } = this;
    if (inline === undefined) return this.map?.get(code);
    for (let i = 0; i < inline.length; i += 2) {
      if (inline[i] === code) return inline[i + 1] as SuffixNode<C>;
    }
    return undefined;
  }

  #child(code: number): SuffixNode<C> {
    const found = this.#next(code);
    if (found) return found;
    const child = new SuffixNode<C>();
    const inline = this.inline ?? [];
    if (this.map) {
      this.map.set(code, child);
    } else if (inline.length < INLINE_CHILDREN * 2) {
      // A new array of the exact size: `push` would reserve room for 17 slots.
      this.inline = [...inline, code, child];
    } else {
      this.map = new Map();
      for (let i = 0; i < inline.length; i += 2) {
        this.map.set(inline[i] as number, inline[i + 1] as SuffixNode<C>);
      }
      this.map.set(code, child);
      this.inline = undefined;
    }
    return child;
  }
}
