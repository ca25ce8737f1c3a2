import { type ReactNode, useState } from "react";
import type { EtagEdit } from "../api/etag-edit.js";
import { ChangesTable } from "./ChangesTable.js";
import { ConfirmDialog } from "./ConfirmDialog.js";
import { ConflictNotice } from "./Conflict.js";
import { type FieldChange, fieldChanges, type ShownField } from "./field-changes.js";

interface EditPanelProps<V, R> {
  edit: EtagEdit<V, R>;
  /** What is edited, in the operator's words: "project", "alias", "domain". */
  what: string;
  /** The resource's name as the preview's title shows it: `Save 2 changes to alias beta?`. */
  name: string;
  /** The form's accessible name, e.g. `Edit alias beta`. */
  label: string;
  /** The fields the form edits, in form order, as the preview before a save shows them. */
  fields: readonly ShownField<V>[];
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
 * the form with "Save <what>" and "Cancel" while editing, or `idle` when not. A save that
 * changes one field is sent at once; several are shown field by field first and sent only on
 * "Save changes" ("Keep editing" or Escape goes back to the form, the edits kept), as the
 * rules page does.
 */
export function EditPanel<V, R>(props: EditPanelProps<V, R>) {
  const { edit, what } = props;
  const [review, setReview] = useState<FieldChange[] | null>(null);
  const current = edit.conflict?.current;

  const save = () => void edit.save().finally(() => setReview(null));
  const submit = () => {
    const { base, values } = edit;
    if (base === undefined || values === undefined) return;
    const changes = fieldChanges(props.fields, base, values);
    // One field (or none) is its own preview; several are confirmed field by field first.
    if (changes.length <= 1) save();
    else setReview(changes);
  };

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
            submit();
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
      {review && edit.values !== undefined && (
        <ConfirmDialog
          title={`Save ${review.length} changes to ${what} ${props.name}?`}
          confirmLabel="Save changes"
          cancelLabel="Keep editing"
          busy={edit.saving}
          onConfirm={save}
          onCancel={() => setReview(null)}
        >
          <ChangesTable caption="Changes to save" changes={review} />
        </ConfirmDialog>
      )}
    </>
  );
}
