import type { FieldChange } from "./field-changes.js";

interface ChangesTableProps {
  caption: string;
  changes: readonly FieldChange[];
  /** Column heading of the old values. Default "Before". */
  beforeLabel?: string;
  /** Column heading of the new values. Default "After". */
  afterLabel?: string;
}

/** Field-by-field before/after of an edit (see `fieldChanges`). */
export function ChangesTable(props: ChangesTableProps) {
  const { beforeLabel = "Before", afterLabel = "After" } = props;
  return (
    <table className="diff">
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">{beforeLabel}</th>
          <th scope="col">{afterLabel}</th>
        </tr>
      </thead>
      <tbody>
        {props.changes.map((change) => (
          <tr key={change.path} data-field={change.path}>
            <th scope="row">{change.label}</th>
            <td className="diff-before">{change.before}</td>
            <td className="diff-after">{change.after}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
