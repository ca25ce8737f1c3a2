import { type ReactNode, useState } from "react";
import { useEtagDelete } from "../api/etag-edit.js";
import { ConflictNotice } from "./Conflict.js";
import { CheckField } from "./Field.js";

interface Props<R> {
  what: string;
  name: string;
  /** The etag of the version on screen: a newer one elsewhere refuses the delete. */
  etag: string;
  /** When set, the confirmation offers `force` with this label. */
  forceLabel?: string;
  send: (etag: string, force: boolean) => Promise<unknown>;
  fetchCurrent: () => Promise<R>;
  refresh: () => Promise<void>;
  describe: (current: R) => ReactNode;
  /** Called once deleted (e.g. to leave the page of what is gone). */
  onDeleted?: () => void;
}

/** "Delete" then "Confirm delete": deletes the version shown, or shows what changed elsewhere. */
export function DeleteButton<R>(props: Props<R>) {
  const { what, name, etag, forceLabel } = props;
  const [confirming, setConfirming] = useState(false);
  const [force, setForce] = useState(false);
  const remove = useEtagDelete<R>({
    send: (e) => props.send(e, force),
    fetchCurrent: props.fetchCurrent,
    refresh: props.refresh,
  });
  const forceId = `delete-${what}-${name}-force`;
  return (
    <>
      {!confirming ? (
        <button
          type="button"
          className="danger"
          aria-label={`Delete ${what} ${name}`}
          onClick={() => setConfirming(true)}
        >
          Delete
        </button>
      ) : (
        <>
          {forceLabel && (
            <CheckField id={forceId} label={forceLabel} checked={force} onChange={setForce} />
          )}
          <button
            type="button"
            className="danger"
            disabled={remove.deleting}
            onClick={async () => {
              if (!(await remove.remove(etag))) return;
              setConfirming(false);
              props.onDeleted?.();
            }}
          >
            Confirm delete {what} {name}
          </button>
          <button
            type="button"
            aria-label={`Keep ${what} ${name}`}
            onClick={() => {
              setConfirming(false);
              remove.clear();
            }}
          >
            Cancel
          </button>
        </>
      )}
      {remove.error && (
        <p className="field-error" role="alert">
          {remove.error}
        </p>
      )}
      {remove.conflict && (
        <ConflictNotice
          what={what}
          current={remove.conflict.current && props.describe(remove.conflict.current)}
        />
      )}
    </>
  );
}
