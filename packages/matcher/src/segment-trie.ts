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
   * Up to INLINE_CHILDREN literal children in one array, three slots each: tag
   * (length and first character, see `tagOf`), key, node. The tag screens a child
   * without reading its key, and one array is fewer memory reads than three.
   */
  inline: (number | string | SegmentNode<C>)[] | undefined = undefined;
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
    const found = this.map?.get(value) ?? inlineChild(this, value, 0, value.length);
    if (found) return found;
    const child = new SegmentNode<C>();
    const inline = this.inline ?? [];
    if (this.map) {
      this.map.set(value, child);
    } else if (inline.length < INLINE_CHILDREN * 3) {
      // A new array of the exact size: `push` would reserve room for 17 slots.
      this.inline = [...inline, tagOf(value, 0, value.length), value, child];
    } else {
      this.map = new Map();
      for (let i = 0; i < inline.length; i += 3) {
        this.map.set(inline[i + 1] as string, inline[i + 2] as SegmentNode<C>);
      }
      this.map.set(value, child);
      this.inline = undefined;
    }
    return child;
  }

  #variable(): SegmentNode<C> {
    this.any ??= new SegmentNode();
    return this.any;
  }
}

/** The inline child for `text.slice(start, end)`, if any. */
function inlineChild<C extends Ranked>(
  node: SegmentNode<C>,
  text: string,
  start: number,
  end: number,
): SegmentNode<C> | undefined {
  const { inline } = node;
  if (inline === undefined) return undefined;
  const tag = tagOf(text, start, end);
  for (let i = 0; i < inline.length; i += 3) {
    if (inline[i] === tag && text.startsWith(inline[i + 1] as string, start)) {
      return inline[i + 2] as SegmentNode<C>;
    }
  }
  return undefined;
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

  const literal =
    node.map === undefined
      ? inlineChild(node, path, start, end)
      : node.map.get(path.slice(start, end));
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
