import type { ReactNode } from "react";
import type { EtagEdit } from "../api/etag-edit.js";
import { ConflictNotice } from "./Conflict.js";

interface EditPanelProps<V, R> {
  edit: EtagEdit<V, R>;
  /** What is edited, in the operator's words: "project", "alias", "domain". */
  what: string;
  /** The form's accessible name, e.g. `Edit alias beta`. */
  label: string;
  /** A version of the resource, as the conflict notice shows the current one. */
  describe: (resource: R) => ReactNode;
  /** Shown while not editing. Default nothing. */
  idle?: ReactNode;
  /** The form's class. Default none. */
  className?: string;
  /** The form's inputs for the values being edited. */
  children: (values: V) => ReactNode;
}

/**
 * Editing one resource under its etag: a change made elsewhere (see `ConflictNotice`), then
 * the form with "Save <what>" and "Cancel" while editing, or `idle` when not.
 */
export function EditPanel<V, R>(props: EditPanelProps<V, R>) {
  const { edit, what } = props;
  const current = edit.conflict?.current;
  return (
    <>
      {edit.conflict && (
        <ConflictNotice
          what={what}
          current={current && props.describe(current)}
          onLoadCurrent={edit.loadCurrent}
        />
      )}
      {edit.values === undefined ? (
        props.idle
      ) : (
        <form
          className={props.className}
          aria-label={props.label}
          onSubmit={(e) => {
            e.preventDefault();
            void edit.save();
          }}
        >
          {props.children(edit.values)}
          <div className="actions">
            <button type="submit" disabled={edit.saving}>
              Save {what}
            </button>
            <button type="button" onClick={edit.cancel}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </>
  );
}
