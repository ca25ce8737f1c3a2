import type { Interceptor } from "@connectrpc/connect";
import { observeRpc } from "../server/observe-rpc.js";
import type { ControlPlaneMetrics } from "./control-plane-metrics.js";

/** Counts every RPC by service, method and code, and records its duration. */
export function createRpcMetricsInterceptor(metrics: ControlPlaneMetrics): Interceptor {
  return observeRpc(
    () => undefined,
    ({ service, method, code, durationSeconds }) => {
      metrics.rpcRequests.inc({ service, method, code });
      metrics.rpcDuration.observe({ service, method }, durationSeconds);
    },
  );
}
