/**
 * How a Backstage proxy endpoint's `pathRewrite` maps onto Switchyard rules.
 *
 * Backstage hands `pathRewrite` to http-proxy-middleware, which tests each regular
 * expression against the request's whole original path (`/api/proxy/github/repos`),
 * replaces the first one that matches, and http-proxy joins the result to the target's
 * path with every run of "/" collapsed. Without `pathRewrite` Backstage adds
 * `'^<mount><route>/?': '/'`: the mount and route are dropped. What Switchyard rules
 * can say: drop the matched prefix of a `/*` pattern and append the rest to the target
 * path (`strip_prefix`), or append the whole path. So a rewrite is imported when it
 * replaces a literal prefix of the path by a literal: that is a prefix strip to a
 * target whose path ends with the replacement.
 */

/** The rules an endpoint mounted at `mount` (`/api/proxy/github`) becomes. */
export type PathPlan =
  /** `mount/*`, strip_prefix, target path + `targetSuffix`. */
  | { readonly kind: "strip"; readonly targetSuffix: string }
  /** `mount/*`, strip_prefix false: the rewrite never applies, the whole path is sent. */
  | { readonly kind: "append" }
  /**
   * The rewrite applies below the mount only: `subPath/*` strips to target path +
   * `targetSuffix`, then `mount/*` appends the whole path for the rest.
   */
  | { readonly kind: "split"; readonly subPath: string; readonly targetSuffix: string }
  | { readonly kind: "unsupported"; readonly reason: string };

interface LiteralRegex {
  readonly anchored: boolean;
  readonly literal: string;
  /** What the expression does with a "/" right after the literal. */
  readonly slash: "required" | "optional" | "none";
}

/** `^/api/proxy/github/?` → { anchored, literal: "/api/proxy/github", slash: "optional" }. */
function parseLiteralRegex(source: string): LiteralRegex | undefined {
  let text = source;
  const anchored = text.startsWith("^");
  if (anchored) text = text.slice(1);
  let slash: LiteralRegex["slash"] = "none";
  if (text.endsWith("\\/?")) {
    slash = "optional";
    text = text.slice(0, -3);
  } else if (text.endsWith("/?")) {
    slash = "optional";
    text = text.slice(0, -2);
  }
  let literal = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "\\") {
      const next = text[i + 1];
      if (next === undefined || /[A-Za-z0-9]/.test(next)) return undefined;
      literal += next;
      i++;
    } else if ("[](){}*+?|$^".includes(c)) {
      return undefined;
    } else {
      // An unescaped "." matches any character; in a path written as a prefix it stands for itself.
      literal += c;
    }
  }
  if (slash === "none" && literal.endsWith("/")) {
    slash = "required";
    literal = literal.slice(0, -1);
  }
  return { anchored, literal, slash };
}

/**
 * The rules `pathRewrite` (as written in app-config, or undefined) becomes for an
 * endpoint mounted at `mount` (no trailing "/").
 */
export function planPathRewrite(mount: string, pathRewrite: unknown): PathPlan {
  // Backstage's default, `'^<mount>/?': '/'`: the bare mount reaches the target path with
  // a "/" after it, which a target URL ending in "/" reproduces.
  if (pathRewrite === undefined || pathRewrite === null)
    return { kind: "strip", targetSuffix: "/" };
  const unsupported = (reason: string): PathPlan => ({ kind: "unsupported", reason });
  if (typeof pathRewrite !== "object" || Array.isArray(pathRewrite)) {
    return unsupported("must be a mapping of regular expression to replacement");
  }
  const entries = Object.entries(pathRewrite);
  if (entries.length === 0) return { kind: "append" };
  if (entries.length > 1) {
    return unsupported(
      `has ${entries.length} rewrites; only a single literal-prefix rewrite can be expressed`,
    );
  }
  const [source, replacement] = entries[0] as [string, unknown];
  const quoted = `"${source}": ${JSON.stringify(replacement)}`;
  if (typeof replacement !== "string")
    return unsupported(`${quoted}: the replacement is not a string`);
  if (replacement.includes("$")) {
    return unsupported(`${quoted}: a replacement with capture references cannot be expressed`);
  }
  const regex = parseLiteralRegex(source);
  if (regex === undefined) {
    return unsupported(
      `${quoted}: only a literal path prefix (like "^${mount}/") can be expressed`,
    );
  }
  const { literal } = regex;
  if (!regex.anchored && literal !== mount) {
    return unsupported(`${quoted}: an expression not anchored with "^" can match mid-path`);
  }
  const joinsWithoutSlash = `${quoted}: joins the rest of the path to "${replacement}" without a "/"`;

  if (mount.startsWith(literal)) {
    // Every path routed to the endpoint starts with the mount, so the rewrite applies
    // to all of them (a required "/" right after the mount aside: see docs).
    let residual = mount.slice(literal.length);
    let eatsSlashOfRest = false;
    if (regex.slash !== "none") {
      if (residual === "") eatsSlashOfRest = true;
      else if (residual.startsWith("/")) residual = residual.slice(1);
      else if (regex.slash === "required") return { kind: "append" };
    }
    const targetSuffix = replacement + residual;
    if (eatsSlashOfRest && targetSuffix !== "" && !targetSuffix.endsWith("/")) {
      return unsupported(joinsWithoutSlash);
    }
    return { kind: "strip", targetSuffix };
  }
  if (literal.startsWith(`${mount}/`)) {
    if (regex.slash === "none") {
      return unsupported(
        `${quoted}: rewrites paths that merely start with "${literal}", mid-segment`,
      );
    }
    if (replacement !== "" && !replacement.endsWith("/")) return unsupported(joinsWithoutSlash);
    return { kind: "split", subPath: literal, targetSuffix: replacement };
  }
  // No path routed to this endpoint matches: Backstage sent the whole path.
  return { kind: "append" };
}

/**
 * `target` with `suffix` joined to its path as http-proxy joins paths: one "/" between
 * them, runs of "/" in the suffix collapsed (so a suffix "/" only ensures the path ends
 * with "/"); the target's query stays at the end.
 */
export function joinTargetPath(target: string, suffix: string): string {
  if (suffix === "") return target;
  const query = target.indexOf("?");
  const base = query === -1 ? target : target.slice(0, query);
  const rest = query === -1 ? "" : target.slice(query);
  const path = suffix.replace(/\/+/g, "/").replace(/^\//, "");
  return `${base.replace(/\/+$/, "")}/${path}${rest}`;
}
