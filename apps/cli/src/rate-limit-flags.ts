import { create } from "@bufbuild/protobuf";
import { type RateLimit, RateLimitKey, RateLimitSchema } from "@switchyard/api";
import { parseRateLimit, parseRateLimitKey } from "./flags.js";
import { UsageError } from "./usage-error.js";

/** The rate-limit flags shared by `rules` and `projects` (as commander hands them over). */
export interface RateLimitFlags {
  /** `--rate-limit LIMIT/WINDOW`, or false for `--no-rate-limit`. */
  rateLimit?: string | false;
  /** `--rate-limit-key ip|subject|header:NAME`. Default ip. */
  rateLimitKey?: string;
  rateLimitSkipSuccessful?: boolean;
  rateLimitSkipFailed?: boolean;
}

/**
 * The rate limit the flags describe: undefined when none was given, null for
 * `--no-rate-limit` (clear it), else the whole limit. A limit is written as a
 * whole, so its key and skip flags need `--rate-limit` beside them.
 */
export function rateLimitFromFlags(flags: RateLimitFlags): RateLimit | null | undefined {
  const extras = [
    flags.rateLimitKey !== undefined && "--rate-limit-key",
    flags.rateLimitSkipSuccessful && "--rate-limit-skip-successful",
    flags.rateLimitSkipFailed && "--rate-limit-skip-failed",
  ].filter((f): f is string => typeof f === "string");
  if (flags.rateLimit === false) {
    if (extras.length > 0)
      throw new UsageError(`${extras[0]}: cannot be combined with --no-rate-limit`);
    return null;
  }
  if (flags.rateLimit === undefined) {
    if (extras.length > 0) {
      throw new UsageError(
        `${extras[0]}: needs --rate-limit LIMIT/WINDOW (a rate limit is set as a whole)`,
      );
    }
    return undefined;
  }
  const { limit, windowMs } = parseRateLimit(flags.rateLimit);
  const { key, headerName } =
    flags.rateLimitKey === undefined
      ? { key: RateLimitKey.IP, headerName: "" }
      : parseRateLimitKey(flags.rateLimitKey);
  return create(RateLimitSchema, {
    limit,
    windowMs,
    key,
    headerName,
    skipSuccessful: flags.rateLimitSkipSuccessful ?? false,
    skipFailed: flags.rateLimitSkipFailed ?? false,
  });
}

const units: [string, number][] = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
];

/** The inverse of `--rate-limit`/`--rate-limit-key`: `100/1m ip`, or "" when unset. */
export function formatRateLimit(rateLimit: RateLimit | undefined): string {
  if (!rateLimit) return "";
  const [unit, ms] = units.find(([, ms]) => rateLimit.windowMs % ms === 0) ?? ["ms", 1];
  const key =
    rateLimit.key === RateLimitKey.SUBJECT
      ? "subject"
      : rateLimit.key === RateLimitKey.HEADER
        ? `header:${rateLimit.headerName}`
        : "ip";
  return `${rateLimit.limit}/${rateLimit.windowMs / ms}${unit} ${key}`;
}
