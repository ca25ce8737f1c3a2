import type { TokenStore } from "../store/tokens.js";

/** At most one `last_used_time` write per token per this many milliseconds. */
export const LAST_USED_INTERVAL_MS = 60_000;

/**
 * Records token use without slowing requests: the stamp is written in the
 * background, and only when this process has not stamped the token within
 * the last minute (the SQL re-checks, so several control planes share the
 * budget). A failed stamp is reported and retried on a later use.
 */
export function createLastUsedStamper(
  tokens: Pick<TokenStore, "markUsed">,
  onError: (error: unknown) => void,
  now: () => number = Date.now,
): (tokenId: string) => void {
  const stamped = new Map<string, number>();
  return (tokenId) => {
    const time = now();
    const last = stamped.get(tokenId);
    if (last !== undefined && time - last < LAST_USED_INTERVAL_MS) return;
    stamped.set(tokenId, time);
    tokens.markUsed(tokenId, new Date(time)).catch((error: unknown) => {
      stamped.delete(tokenId);
      onError(error);
    });
  };
}
