/**
 * KrakenD's router rate limit (`qos/ratelimit/router`) as a rule's `rate_limit`. KrakenD
 * keeps a token bucket per client (`client_max_rate` tokens every `every`, default 1 s,
 * keyed by `strategy`: the client IP or a header named by `key`) and one for the whole
 * endpoint (`max_rate`). A rule counts `limit` requests per `window_ms` per key, fleet-wide:
 * the per-client bucket maps onto it (a window admits its whole limit at once, where a
 * bucket refills gradually); the endpoint-wide total has no equivalent and is reported.
 */
import { type RateLimit, RateLimitKey } from "@switchyard/api";
import { MAX_WINDOW_MS, MIN_WINDOW_MS } from "@switchyard/policy";
import { isRecord } from "./import-result.js";
import { parseKrakendDuration } from "./krakend-duration.js";

type RateLimitInit = Pick<RateLimit, "limit" | "windowMs" | "key" | "headerName">;

/** The rule's rate limit for `config` (the namespace's value), or undefined. */
export function readRouterRateLimit(
  config: unknown,
  warn: (message: string) => void,
): RateLimitInit | undefined {
  const at = "extra_config qos/ratelimit/router";
  if (!isRecord(config)) {
    warn(`${at}: not imported: not an object`);
    return undefined;
  }
  if (config["max_rate"] !== undefined && config["max_rate"] !== 0) {
    warn(
      `${at} max_rate: not imported: a limit on all clients together has no equivalent; limits count per client IP, subject or header`,
    );
  }
  for (const key of Object.keys(config)) {
    if (!KNOWN.has(key)) warn(`${at} ${key}: not imported`);
  }
  const rate = config["client_max_rate"];
  if (rate === undefined || rate === 0) return undefined;
  if (typeof rate !== "number" || !Number.isInteger(rate) || rate < 1) {
    warn(
      `${at} client_max_rate: not imported: ${JSON.stringify(rate)} is not a whole number of requests`,
    );
    return undefined;
  }
  const every = config["every"] ?? "1s";
  const windowMs = parseKrakendDuration(every);
  if (
    windowMs === undefined ||
    windowMs % 1000 !== 0 ||
    windowMs < MIN_WINDOW_MS ||
    windowMs > MAX_WINDOW_MS
  ) {
    warn(
      `${at}: not imported: every ${JSON.stringify(every)} is not whole seconds from 1 s to 1 day`,
    );
    return undefined;
  }
  const capacity = config["client_capacity"];
  if (capacity !== undefined && capacity !== rate) {
    warn(
      `${at} client_capacity: not imported: a burst of ${JSON.stringify(capacity)}; the window admits client_max_rate (${rate}) per ${every}`,
    );
  }
  const strategy = config["strategy"] ?? "ip";
  if (strategy === "ip") return { limit: rate, windowMs, key: RateLimitKey.IP, headerName: "" };
  if (strategy === "header" && typeof config["key"] === "string" && config["key"] !== "") {
    return { limit: rate, windowMs, key: RateLimitKey.HEADER, headerName: config["key"] };
  }
  warn(
    `${at} strategy ${JSON.stringify(strategy)}: not imported: only ip and header (with a key) can be expressed`,
  );
  return undefined;
}

const KNOWN = new Set([
  "max_rate",
  "capacity",
  "client_max_rate",
  "client_capacity",
  "every",
  "strategy",
  "key",
]);
