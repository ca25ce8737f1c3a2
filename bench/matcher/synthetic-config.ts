import type { RouteAlias, RouteDomain, RouteInput, RouteRule } from "@switchyard/matcher";

/** A request to resolve. */
export interface Request {
  readonly host: string;
  readonly path: string;
}

/** A generated config and requests against it. */
export interface Workload {
  readonly input: RouteInput;
  /** Each matches some rule. */
  readonly hits: readonly Request[];
  /** Known hosts, paths no rule matches. */
  readonly misses: readonly Request[];
  /** Hosts no domain covers. */
  readonly unknown: readonly Request[];
}

/** Deterministic PRNG (mulberry32) so every run measures the same config. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One kind of rule of the mix, as (pattern, a path it matches) for index `i`.
 * Weights out of 100: mostly prefix and exact, some params, a few suffix and
 * middle-wildcard rules.
 */
const KINDS: readonly { weight: number; make: (i: number) => [string, string] }[] = [
  { weight: 30, make: (i) => [`/svc${i}/*`, `/svc${i}/items/42`] },
  { weight: 15, make: (i) => [`/api/v${i % 3}/svc${i}/*`, `/api/v${i % 3}/svc${i}/a/b`] },
  { weight: 20, make: (i) => [`/page${i}`, `/page${i}`] },
  { weight: 10, make: (i) => [`/svc${i}/health`, `/svc${i}/health`] },
  { weight: 10, make: (i) => [`/users${i}/:id/profile`, `/users${i}/1234/profile`] },
  { weight: 5, make: (i) => [`/orgs/:org/repo${i}/*`, `/orgs/acme/repo${i}/pulls`] },
  { weight: 5, make: (i) => [`/svc${i}/*/status`, `/svc${i}/eu-1/status`] },
  { weight: 5, make: (i) => [`*.${extension(i)}`, `/assets/app.${extension(i)}`] },
];

const EXTENSIONS =
  "json js mjs css map png jpg jpeg gif svg webp avif ico woff woff2 ttf txt xml html htm pdf zip gz wasm mp4 webm md csv yaml toml";

/** Suffix rules use real file extensions, so paths share their last characters as in life. */
function extension(i: number): string {
  const list = EXTENSIONS.split(" ");
  return list[i % list.length]!;
}

function pickKind(r: number): (i: number) => [string, string] {
  let at = r * 100;
  for (const kind of KINDS) {
    if (at < kind.weight) return kind.make;
    at -= kind.weight;
  }
  return KINDS[0]!.make;
}

/**
 * `ruleCount` rules spread over `projects` projects. Each project has a domain
 * for its defaults, a production alias without rules (its defaults), and a
 * preview alias on a wildcard domain that inherits the defaults and holds one
 * rule in ten.
 */
export function syntheticWorkload(ruleCount: number, projects: number, seed = 1): Workload {
  const next = random(seed);
  const aliases: RouteAlias[] = [];
  const domains: RouteDomain[] = [];
  for (let p = 0; p < projects; p++) {
    const projectId = `p${p}`;
    aliases.push({ id: `${projectId}-prod`, projectId });
    aliases.push({ id: `${projectId}-preview`, projectId, inheritProjectRules: true });
    domains.push({ host: `app${p}.example.com`, projectId });
    domains.push({ host: `prod.app${p}.example.com`, projectId, aliasId: `${projectId}-prod` });
    domains.push({ host: `*.preview${p}.example.com`, projectId, aliasId: `${projectId}-preview` });
  }
  const rules: RouteRule[] = [];
  const hits: Request[] = [];
  for (let i = 0; i < ruleCount; i++) {
    const p = i % projects;
    const preview = next() < 0.1;
    const [pathPattern, path] = pickKind(next())(i);
    rules.push({
      id: `r${i}`,
      projectId: `p${p}`,
      aliasId: preview ? `p${p}-preview` : "",
      pathPattern,
      // Orders collide often, as when operators number rules by tens.
      order: Math.floor(next() * 100) * 10,
      createTime: { seconds: BigInt(1_700_000_000 + i), nanos: 0 },
    });
    const host = preview
      ? `pr-${i}.preview${p}.example.com`
      : next() < 0.5
        ? `prod.app${p}.example.com`
        : `app${p}.example.com`;
    hits.push({ host, path });
  }
  const misses = hits.map((h, i) => ({ host: h.host, path: `/nothing${i}/here` }));
  const unknown = hits.map((h, i) => ({ host: `x${i}.unknown.test`, path: h.path }));
  return { input: { domains, aliases, rules }, hits, misses, unknown };
}
