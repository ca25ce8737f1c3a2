import type { PatternSegment } from "@switchyard/policy";

/** Literal children up to this many are compared in place; more go in a Map. */
const INLINE_CHILDREN = 8;

/** Anything with a rank: 0 answers first. */
export interface Ranked {
  readonly rank: number;
}

/**
 * A trie over path segments for the `/`-patterns of one scope. Each node is the
 * set of paths whose first segments match the pattern segments on the way down:
 * literal children by value, one child for `:name` and `*` (both take exactly one
 * non-empty segment), the best rule that ends exactly here and the best `/*` rule
 * that ends here. Rules of the same shape match the same paths, so only the
 * lowest-ranked one of each is kept.
 */
export class SegmentTrie<C extends Ranked> {
  readonly #root = new SegmentNode<C>();

  add(segments: readonly PatternSegment[], prefix: boolean, candidate: C): void {
    let node = this.#root;
    node.offer(candidate);
    for (const segment of segments) {
      node = segment.kind === "literal" ? node.literal(segment.value) : node.variable();
      node.offer(candidate);
    }
    if (prefix) {
      if (!node.prefix || candidate.rank < node.prefix.rank) node.prefix = candidate;
    } else if (!node.exact || candidate.rank < node.exact.rank) {
      node.exact = candidate;
    }
  }

  /** Compacts small child maps; call once after the last `add`. */
  seal(): void {
    this.#root.seal();
  }

  /** The lowest-ranked rule matching `path` with a rank below `best`'s, else `best`. */
  best(path: string, best: C | undefined): C | undefined {
    if (path.charCodeAt(0) !== 47 /* "/" */) return best;
    return search(this.#root, path, 1, best);
  }
}

class SegmentNode<C extends Ranked> {
  /** The lowest rank of any rule at or below this node: prunes the search. */
  minRank = Number.POSITIVE_INFINITY;
  exact: C | undefined = undefined;
  prefix: C | undefined = undefined;
  /** The `:name` / `*` child. */
  any: SegmentNode<C> | undefined = undefined;
  /** Literal children by segment, when there are more than INLINE_CHILDREN. */
  map: Map<string, SegmentNode<C>> | undefined = undefined;
  /** Literal children compared in place (after `seal`), keys and nodes side by side. */
  keys: string[] | undefined = undefined;
  nodes: SegmentNode<C>[] | undefined = undefined;

  offer(candidate: C): void {
    if (candidate.rank < this.minRank) this.minRank = candidate.rank;
  }

  literal(value: string): SegmentNode<C> {
    this.map ??= new Map();
    let child = this.map.get(value);
    if (!child) {
      child = new SegmentNode();
      this.map.set(value, child);
    }
    return child;
  }

  variable(): SegmentNode<C> {
    this.any ??= new SegmentNode();
    return this.any;
  }

  seal(): void {
    if (this.map && this.map.size <= INLINE_CHILDREN) {
      this.keys = [...this.map.keys()];
      this.nodes = [...this.map.values()];
      this.map = undefined;
    }
    for (const child of this.nodes ?? this.map?.values() ?? []) child.seal();
    this.any?.seal();
  }
}

/**
 * Depth-first over every branch the path can take, skipping any subtree that
 * cannot beat the best rule found so far. `start` is where the next segment
 * begins (just after its "/"), or -1 when the path has no more segments.
 */
function search<C extends Ranked>(
  node: SegmentNode<C>,
  path: string,
  start: number,
  best: C | undefined,
): C | undefined {
  if (best !== undefined && node.minRank >= best.rank) return best;
  const { prefix } = node;
  if (prefix !== undefined && (best === undefined || prefix.rank < best.rank)) best = prefix;
  if (start === -1) {
    const { exact } = node;
    if (exact !== undefined && (best === undefined || exact.rank < best.rank)) best = exact;
    return best;
  }
  let end = path.indexOf("/", start);
  const next = end === -1 ? -1 : end + 1;
  if (end === -1) end = path.length;

  let literal: SegmentNode<C> | undefined;
  const { keys } = node;
  if (keys !== undefined) {
    const length = end - start;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      if (key.length === length && path.startsWith(key, start)) {
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
    best = search(any, path, next, best);
    return search(literal, path, next, best);
  }
  if (literal !== undefined) best = search(literal, path, next, best);
  if (any !== undefined) best = search(any, path, next, best);
  return best;
}
