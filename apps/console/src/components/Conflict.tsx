import type { ReactNode } from "react";

interface ConflictProps {
  /** What was edited, in the operator's words: "project", "alias", "domain", "rule". */
  what: string;
  /** The server's current version, or undefined when it was deleted elsewhere. */
  current: ReactNode | undefined;
  /**
   * Replaces the edit with the current version (and its etag); nothing is sent. When set,
   * a "Load the current version" button offers it.
   */
  onLoadCurrent?: () => void;
  /** What the operator may do next, when more than loading the current version. Default none. */
  children?: ReactNode;
}

/**
 * A change made elsewhere since this page read the resource: the edit was refused (stale
 * etag), nothing was overwritten; the current version is shown so the operator can decide.
 */
export function ConflictNotice({ what, current, onLoadCurrent, children }: ConflictProps) {
  return (
    <div className="conflict" role="alert" data-testid="conflict">
      <p>
        <strong>Changed elsewhere.</strong> This {what} was changed by someone else after you opened
        it, so nothing was changed.
        {current === undefined ? ` The ${what} no longer exists.` : " The current version:"}
      </p>
      {current}
      {onLoadCurrent && current !== undefined && (
        <button type="button" onClick={onLoadCurrent}>
          Load the current version
        </button>
      )}
      {children}
    </div>
  );
}
