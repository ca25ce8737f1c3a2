import type { ReactNode } from "react";
import { FieldError } from "../components/Field.js";
import { errorsAt, type FormErrors } from "./form-errors.js";

/** What `renderRow` gets for one row: the row, its API path and label, and how to change it. */
export interface RowContext<T> {
  row: T;
  /** The row's API path, e.g. `rule.header_config.add[1]`. */
  path: string;
  /** The row's name in labels, e.g. `header 2`. */
  label: string;
  update: (change: Partial<T>) => void;
}

/** What a rows editor gets from its form: the rows, a way to replace them, the save's errors. */
export interface RowsProps<T> {
  rows: readonly T[];
  onChange: (rows: T[]) => void;
  errors: FormErrors;
}

interface RowsFieldsetProps<T extends { key: string }> extends RowsProps<T> {
  legend: string;
  hint: ReactNode;
  /** The API's path of the list, e.g. `rule.auth.require_claims`. */
  listPath: string;
  /** Id of the list's own errors. */
  errorsId: string;
  /** What one row is, lower case: `claim`, `header`. */
  rowName: string;
  /** The add button's text. */
  addLabel: string;
  /** An empty row, with a fresh key. */
  newRow: () => T;
  /** The inputs of one row. */
  renderRow: (context: RowContext<T>) => ReactNode;
}

/** A list of rows the operator adds and removes: claims, headers to add. */
export function RowsFieldset<T extends { key: string }>(props: RowsFieldsetProps<T>) {
  const { rows, onChange, listPath, rowName } = props;
  const update = (i: number, change: Partial<T>) =>
    onChange(rows.map((row, j) => (j === i ? { ...row, ...change } : row)));
  const title = rowName.charAt(0).toUpperCase() + rowName.slice(1);
  return (
    <fieldset className="sy-rules-fieldset sy-rules-rows">
      <legend>{props.legend}</legend>
      <p className="sy-rules-hint">{props.hint}</p>
      <FieldError id={props.errorsId} error={errorsAt(props.errors, listPath)} />
      {rows.length > 0 && (
        <ol className="sy-rules-row-list">
          {rows.map((row, i) => {
            const label = `${rowName} ${i + 1}`;
            return (
              <li key={row.key} aria-label={`${title} ${i + 1}`}>
                {props.renderRow({
                  row,
                  path: `${listPath}[${i}]`,
                  label,
                  update: (change) => update(i, change),
                })}
                <button type="button" onClick={() => onChange(rows.filter((_, j) => j !== i))}>
                  Remove {label}
                </button>
              </li>
            );
          })}
        </ol>
      )}
      <button type="button" onClick={() => onChange([...rows, props.newRow()])}>
        {props.addLabel}
      </button>
    </fieldset>
  );
}
