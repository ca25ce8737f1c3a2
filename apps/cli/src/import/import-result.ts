import type { ConfigDocument } from "@switchyard/api";

/** What an import produces: the apply document, and what it could not express. */
export interface ImportResult {
  /** One project whose default rules stand for the imported routes, in match order. */
  readonly document: ConfigDocument;
  /**
   * One line per option or behaviour of the source the document does not reproduce,
   * each starting with where it is in the source (`proxy.endpoints./github.secure`).
   */
  readonly warnings: readonly string[];
}

/**
 * Input the source system itself would refuse to start with (a target that is not a
 * URL, an unknown credentials policy) or that is not its config file at all. The
 * message names the key.
 */
export class ImportError extends Error {
  override name = "ImportError";
}

/** True for a plain object (a YAML mapping or JSON object), not an array or null. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
