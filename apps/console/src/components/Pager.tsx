import { useState } from "react";

/** Page tokens walked so far: the current one and the ones before it. */
export interface PagerState {
  token: string;
  hasPrevious: boolean;
  next: (token: string) => void;
  previous: () => void;
  reset: () => void;
}

/** State for a list read page by page with `page_token` (AIP-158). */
export function usePager(): PagerState {
  const [tokens, setTokens] = useState<string[]>([""]);
  return {
    token: tokens[tokens.length - 1] ?? "",
    hasPrevious: tokens.length > 1,
    next: (token) => setTokens((t) => [...t, token]),
    previous: () => setTokens((t) => (t.length > 1 ? t.slice(0, -1) : t)),
    reset: () => setTokens([""]),
  };
}

/** Previous and next page buttons; nothing when there is a single page. */
export function Pager({ pager, nextToken }: { pager: PagerState; nextToken: string }) {
  if (!pager.hasPrevious && nextToken === "") return null;
  return (
    <div className="actions">
      <button type="button" onClick={pager.previous} disabled={!pager.hasPrevious}>
        Previous page
      </button>
      <button type="button" onClick={() => pager.next(nextToken)} disabled={nextToken === ""}>
        Next page
      </button>
    </div>
  );
}
