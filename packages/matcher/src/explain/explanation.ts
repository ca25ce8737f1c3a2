import type { Alias, Domain, Project, Rule } from "@switchyard/api";
import type { EffectiveRateLimit, ProblemCode, UpstreamPathMode } from "@switchyard/policy";
import type { ScopeSource } from "../scope.js";

/** A request to explain, as a client would send it to a worker. */
export interface ExplainInput {
  /** The `Host` header: any case, with or without a port. */
  readonly host: string;
  /** The request-target as sent: path and optional `?query`, before normalisation. */
  readonly target: string;
  /** Default GET. */
  readonly method?: string;
  /** More request headers, names as sent; decide what is forwarded. Default none. */
  readonly headers?: readonly (readonly [name: string, value: string])[];
}

/** Why a rule of the resolved scope did not answer. */
export type PassOverReason =
  /** `enabled: false`. */
  | "disabled"
  /** Its path pattern does not parse: the route table leaves it out. */
  | "invalid-pattern"
  /** Its pattern does not match the normalised path. */
  | "no-match"
  /** Its pattern matches, but a rule earlier in match order answers. */
  | "shadowed"
  /** A project default not searched: the domain's alias has its own rules and does not inherit. */
  | "replaced";

export interface PassedOver {
  readonly rule: Rule;
  /** Which rule set of the scope it is in. */
  readonly source: ScopeSource;
  readonly reason: PassOverReason;
  /** One line for people: `order 5 ("/api/*") answers first`. */
  readonly detail: string;
}

/** Who may call and what the upstream request carries, for the answering rule. */
export interface ExplainedPolicy {
  /** REQUIRE is the default (an unset mode); UNAUTHENTICATED is open. */
  readonly auth: {
    readonly mode: "require" | "forward" | "unauthenticated";
    /** "" when the JWT may come from the Authorization header only. */
    readonly cookieName: string;
    readonly requiredClaims: readonly {
      readonly name: string;
      readonly values: readonly string[];
    }[];
  };
  /** The rule's or else its project's limit; undefined: only the workers' fleet default applies, if set. */
  readonly rateLimit: EffectiveRateLimit | undefined;
  readonly allowedMethods: readonly string[];
  /** `header_config.add`, secret values masked. */
  readonly addHeaders: readonly {
    readonly name: string;
    readonly value: string;
    readonly secret: boolean;
  }[];
  readonly stripHeaders: readonly string[];
  readonly allowedHeaders: readonly string[];
  /**
   * The upstream request headers the explained request would get (secret values masked),
   * without those the worker derives from the connection (X-Forwarded-For, -Proto, -Host, Via).
   */
  readonly forwardedHeaders: readonly (readonly [name: string, value: string])[];
  /** Names of the explained request's headers that are not forwarded. */
  readonly droppedHeaders: readonly string[];
  /** `strip_prefix` as served (unset = true). */
  readonly stripPrefix: boolean;
  /** How the upstream path is built from the target and the request path. */
  readonly pathMode: UpstreamPathMode;
  readonly preserveHost: boolean;
  /** `timeout_ms` as served: unset = 30000, clamped to 100..60000. */
  readonly timeoutMs: number;
  readonly websocket: boolean;
  /** "" when none: the workers' HTTP(S)_PROXY / NO_PROXY apply. */
  readonly egressProxyUrl: string;
}

/**
 * What a worker serving `revision` does with a request, and why. `rule`, `passedOver[].rule`,
 * `domain`, `project` and `alias` are the snapshot's own objects: a secret header's
 * `encrypted_value` is still in them, so mask them before showing them (the API does).
 */
export interface Explanation {
  /** The snapshot's revision. */
  readonly revision: bigint;
  readonly method: string;
  readonly host: string;
  /** The normalised path (what is matched and forwarded); the target's path when refused by normalisation. */
  readonly path: string;
  /** The query as received, without "?"; undefined when there was none. */
  readonly query: string | undefined;
  /** Forwarded (after authentication and rate limits), or the problem the worker answers itself. */
  readonly outcome:
    | { readonly kind: "forward" }
    | {
        readonly kind: "refused";
        readonly code: ProblemCode;
        readonly status: number;
        readonly detail: string;
      };
  /** The domain whose host covers the request's; undefined when none does (or the request is refused before). */
  readonly domain: Domain | undefined;
  readonly project: Project | undefined;
  /** Undefined for a domain without alias. */
  readonly alias: Alias | undefined;
  /** The rule sets searched, in order; empty without a domain. */
  readonly ruleSets: readonly ScopeSource[];
  /** The rule that answers: forwards, or refuses (method, unavailable). */
  readonly rule: Rule | undefined;
  /**
   * Every other rule of the scope in match order, the searched rule sets first, and why it
   * did not answer; the project defaults an alias replaces last.
   */
  readonly passedOver: readonly PassedOver[];
  /** The answering rule's policy; undefined when no servable rule answers. */
  readonly policy: ExplainedPolicy | undefined;
  /** The URL the worker sends the request to; undefined unless forwarded. */
  readonly upstreamUrl: string | undefined;
}
