import type { FleetRegistry } from "@switchyard/config-sync";
import type { TargetPolicy } from "@switchyard/policy";
import type { Logger } from "pino";
import type { Keyring } from "../secrets/keyring.js";
import type { Store } from "../store/store.js";

/** What the API handlers need. */
export interface ServiceDeps {
  store: Store;
  /** Seals secret header values. */
  keyring: Keyring;
  /** Which targets rules may use (SWITCHYARD_ALLOW_HTTP_TARGETS / _PRIVATE_TARGETS). */
  targetPolicy: TargetPolicy;
  /** The live workers (GetFleetStatus, WaitForRevision); undefined: no fleet is configured. */
  fleet?: FleetRegistry | undefined;
  /** Receives unexpected handler errors; the caller only sees Internal. */
  logger?: Pick<Logger, "error">;
}
