import type { PatternSegment } from "@switchyard/policy";

/** Literal children up to this many are scanned in place; more go in a Map. */
const INLINE_CHILDREN = 8;

/** Anything with a rank: 0 answers first. */
export interface Ranked {
  readonly rank: number;
}

/**
 * A node of the trie over path segments that holds one rule set's `/`-patterns.
 * A node stands for the paths whose first segments match the pattern segments on
 * the way down: literal children by value, one child for `:name` and `*` (both
 * take exactly one non-empty segment), the best rule that ends exactly here and
 * the best `/*` rule that ends here. Rules of the same shape match the same paths,
 * so only the lowest-ranked one of each is kept. Ranks are copied into the node so
 * that a search reads a candidate only when it wins.
 */
export class SegmentNode<C extends Ranked> {
  /** The lowest rank of any rule at or below this node: prunes the search. */
  minRank = Number.POSITIVE_INFINITY;
  exactRank = Number.POSITIVE_INFINITY;
  exact: C | undefined = undefined;
  prefixRank = Number.POSITIVE_INFINITY;
  prefix: C | undefined = undefined;
  /** The `:name` / `*` child. */
  any: SegmentNode<C> | undefined = undefined;
  /**
   * Up to INLINE_CHILDREN literal children side by side: `tags` (length and first
   * character, see `tagOf`) screens them without touching the key strings.
   */
  tags: number[] | undefined = undefined;
  keys: string[] | undefined = undefined;
  nodes: SegmentNode<C>[] | undefined = undefined;
  /** Literal children when there are more. */
  map: Map<string, SegmentNode<C>> | undefined = undefined;

  /** Adds a rule's pattern below this node (the root). */
  add(segments: readonly PatternSegment[], prefix: boolean, candidate: C): void {
    const { rank } = candidate;
    let node: SegmentNode<C> = this;
    if (rank < node.minRank) node.minRank = rank;
    for (const segment of segments) {
      node = segment.kind === "literal" ? node.#literal(segment.value) : node.#variable();
      if (rank < node.minRank) node.minRank = rank;
    }
    if (prefix && rank < node.prefixRank) {
      node.prefixRank = rank;
      node.prefix = candidate;
    } else if (!prefix && rank < node.exactRank) {
      node.exactRank = rank;
      node.exact = candidate;
    }
  }

  /** The lowest-ranked rule matching `path`, if it ranks below `best`; else `best`. */
  best(path: string, best: C | undefined): C | undefined {
    if (path.charCodeAt(0) !== 47 /* "/" */) return best;
    return search(this, path, 1, best);
  }

  #literal(value: string): SegmentNode<C> {
    const found = this.map?.get(value) ?? this.#inline(value);
    if (found) return found;
    const child = new SegmentNode<C>();
    const tags = this.tags ?? [];
    const keys = this.keys ?? [];
    const nodes = this.nodes ?? [];
    if (this.map) {
      this.map.set(value, child);
    } else if (keys.length < INLINE_CHILDREN) {
      tags.push(tagOf(value, 0, value.length));
      keys.push(value);
      nodes.push(child);
      this.tags = tags;
      this.keys = keys;
      this.nodes = nodes;
    } else {
      this.map = new Map(keys.map((key, i) => [key, nodes[i] as SegmentNode<C>]));
      this.map.set(value, child);
      this.tags = this.keys = this.nodes = undefined;
    }
    return child;
  }

  #inline(value: string): SegmentNode<C> | undefined {
    const index = this.keys?.indexOf(value) ?? -1;
    return index === -1 ? undefined : this.nodes?.[index];
  }

  #variable(): SegmentNode<C> {
    this.any ??= new SegmentNode();
    return this.any;
  }
}

/** A segment's length and first character in one number: unequal tags, unequal segments. */
function tagOf(text: string, start: number, end: number): number {
  return end === start ? 0 : (end - start) * 65536 + text.charCodeAt(start);
}

/**
 * Depth-first over every branch the path can take, skipping any subtree that
 * cannot beat the best rule found so far. `start` is where the next segment
 * begins (just after its "/"), or -1 when the path has no more segments, as
 * `path.slice(1).split("/")` would cut it.
 */
function search<C extends Ranked>(
  node: SegmentNode<C>,
  path: string,
  start: number,
  best: C | undefined,
): C | undefined {
  let bestRank = best === undefined ? Number.POSITIVE_INFINITY : best.rank;
  if (node.minRank >= bestRank) return best;
  if (node.prefixRank < bestRank) {
    best = node.prefix;
    bestRank = node.prefixRank;
  }
  if (start === -1) return node.exactRank < bestRank ? node.exact : best;

  let end = path.indexOf("/", start);
  const next = end === -1 ? -1 : end + 1;
  if (end === -1) end = path.length;

  let literal: SegmentNode<C> | undefined;
  const { tags } = node;
  if (tags !== undefined) {
    const tag = tagOf(path, start, end);
    for (let i = 0; i < tags.length; i++) {
      if (tags[i] === tag && path.startsWith(node.keys?.[i] as string, start)) {
        literal = node.nodes?.[i];
        break;
      }
    }
  } else if (node.map !== undefined) {
    literal = node.map.get(path.slice(start, end));
  }
  // A `:name` or `*` never takes an empty segment ("/users//profile").
  const any = end > start ? node.any : undefined;
  // Try the more promising branch first so the other is more often pruned.
  if (literal !== undefined && any !== undefined && any.minRank < literal.minRank) {
    return search(literal, path, next, search(any, path, next, best));
  }
  if (literal !== undefined) best = search(literal, path, next, best);
  if (any !== undefined) best = search(any, path, next, best);
  return best;
}
