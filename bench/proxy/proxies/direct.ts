/**
 * No proxy: hands the orchestrator the upstream's own port, so wrk measures the upstream
 * directly, the ceiling every proxy is read against. Its CPU per request is 0 (this process
 * does nothing); the upstream's CPU is not counted for any row.
 */
import { serveBench, upstreamOrigin } from "./serve-bench.js";

serveBench(Number(new URL(upstreamOrigin()).port), undefined, undefined, () => ({
  user: 0,
  system: 0,
}));
