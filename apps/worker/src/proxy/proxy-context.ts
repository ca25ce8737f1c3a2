import type { Duplex } from "node:stream";
import type { PathSemicolons, TrustProxy } from "@switchyard/policy";
import type { Logger } from "../observe/logger.js";
import type { RuleMetrics } from "../observe/rule-metrics.js";
import type { WorkerMetrics } from "../observe/worker-metrics.js";
import type { AdmissionDeps } from "./admit-request.js";

/** What every request of one worker shares: settings, logger, metrics, shutdown state. */
export interface ProxyContext {
  readonly logger: Logger;
  readonly metrics: WorkerMetrics;
  /** Counts requests that matched no rule (unknown host, no rule, bad path). */
  readonly unmatched: RuleMetrics;
  /** SWITCHYARD_TRUST_PROXY, parsed. */
  readonly trust: TrustProxy;
  /** 0 = no limit. */
  readonly maxBodyBytes: number;
  /** 0 = off. */
  readonly idleTimeoutMs: number;
  /** SWITCHYARD_PATH_SEMICOLONS: `reject` (default) or `keep`. */
  readonly pathSemicolons: PathSemicolons;
  /** Most request header fields accepted (SWITCHYARD_MAX_HEADER_COUNT); 0 = no count limit. */
  readonly maxHeaderCount: number;
  /** Authentication (and rate limits) for the rules that need them. */
  readonly admission: AdmissionDeps;
  /** Client sockets of open WebSocket tunnels; `close()` destroys what is left after the grace. */
  readonly tunnels: Set<Duplex>;
  /** Requests and WebSocket tunnels being served; `close()` waits for zero. */
  inFlight: number;
  /** Called when `inFlight` drops to zero. */
  onIdle: (() => void) | undefined;
}

/** Marks the end of one request or tunnel. */
export function leave(context: ProxyContext): void {
  context.inFlight--;
  if (context.inFlight === 0) context.onIdle?.();
}
