import type { ReactNode } from "react";
import type { EtagEdit } from "../api/etag-edit.js";
import { EditPanel } from "./EditPanel.js";
import type { ShownField } from "./field-changes.js";

interface ResourceRowProps<V, R> {
  resource: R;
  /** What the row is, in the operator's words: "alias", "domain". */
  what: string;
  /** The resource's name in accessible names: `Edit alias beta`. */
  name: string;
  testId: string;
  /** The row's cells before "Actions". */
  cells: readonly ReactNode[];
  canEdit: boolean;
  edit: EtagEdit<V, R>;
  /** The fields the edit form edits, as its preview shows them (see `EditPanel`). */
  fields: readonly ShownField<V>[];
  describe: (resource: R) => ReactNode;
  /** The row's delete button (see `DeleteButton`). */
  deleteButton: ReactNode;
  /** The edit form's inputs. */
  children: (values: V) => ReactNode;
}

/**
 * One resource in a list table: its cells, "Edit" and delete for editors, and while it is
 * edited (or a change elsewhere is shown) a second row with the edit form.
 */
export function ResourceRow<V, R>(props: ResourceRowProps<V, R>) {
  const { edit, what, name } = props;
  return (
    <>
      <tr data-testid={props.testId}>
        {props.cells.map((cell, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the columns are fixed.
          <td key={i}>{cell}</td>
        ))}
        {props.canEdit && (
          <td>
            <div className="actions">
              <button
                type="button"
                aria-label={`Edit ${what} ${name}`}
                onClick={() => edit.start(props.resource)}
                disabled={edit.values !== undefined}
              >
                Edit
              </button>
              {props.deleteButton}
            </div>
          </td>
        )}
      </tr>
      {(edit.values !== undefined || edit.conflict) && (
        <tr>
          <td colSpan={props.cells.length + 1}>
            <EditPanel
              edit={edit}
              what={what}
              name={name}
              label={`Edit ${what} ${name}`}
              fields={props.fields}
              describe={props.describe}
            >
              {props.children}
            </EditPanel>
          </td>
        </tr>
      )}
    </>
  );
}
