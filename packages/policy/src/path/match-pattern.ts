import type { PathPattern } from "./path-pattern.js";

/** What a pattern captured from a path. */
export interface PatternMatch {
  /** `:name` captures, by name. */
  readonly params: Readonly<Record<string, string>>;
  /**
   * For a prefix pattern (`/api/*`), where in the path the part before the `*`
   * ends: `path.slice(prefixEnd)` is the remainder (`""`, `"/"` or `"/users"`).
   * For every other pattern, 0.
   */
  readonly prefixEnd: number;
}

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Matches one normalised path against one pattern: the reference semantics.
 * The matcher's compiled route table must always agree with a linear scan of this.
 */
export function matchPathPattern(pattern: PathPattern, path: string): PatternMatch | undefined {
  if (pattern.kind === "suffix") {
    return path.endsWith(pattern.suffix) ? { params: NO_PARAMS, prefixEnd: 0 } : undefined;
  }
  if (!path.startsWith("/")) return undefined;
  const parts = path.slice(1).split("/");
  const { segments, prefix } = pattern;
  if (prefix ? parts.length < segments.length : parts.length !== segments.length) return undefined;

  let params: Record<string, string> | undefined;
  let offset = 0; // index in `path` of the "/" before the current part
  for (const [index, segment] of segments.entries()) {
    const part = parts[index] as string;
    switch (segment.kind) {
      case "literal":
        if (part !== segment.value) return undefined;
        break;
      case "param":
        if (part === "") return undefined;
        params ??= {};
        params[segment.name] = part;
        break;
      case "wildcard":
        if (part === "") return undefined;
        break;
    }
    offset += part.length + 1;
  }
  return { params: params ?? NO_PARAMS, prefixEnd: prefix ? offset : 0 };
}
