import type { ReactNode } from "react";
import { LoadError } from "./Alert.js";

interface ListSectionProps {
  /** The list's name, lower case and plural: "aliases"; the heading's id is `<name>-heading`. */
  name: string;
  /** The heading, also the table's accessible name: "Aliases". */
  title: string;
  /** The columns before "Actions" (shown to editors only). */
  columns: readonly string[];
  canEdit: boolean;
  /** The load's error, if any. */
  error: unknown;
  /** True once the list has loaded, so "No <name>." is not shown while loading. */
  loaded: boolean;
  count: number;
  /** The rows, one `<tr>` (or a fragment of them) each. */
  children: ReactNode;
  /** The create form, for editors. */
  create: ReactNode;
}

/** A section listing a project's resources in a table, with a create form under it. */
export function ListSection(props: ListSectionProps) {
  const { name, title } = props;
  return (
    <section aria-labelledby={`${name}-heading`}>
      <h2 id={`${name}-heading`}>{title}</h2>
      {props.error ? <LoadError error={props.error} what={name} /> : null}
      {props.loaded && props.count === 0 && <p className="muted">No {name}.</p>}
      {props.count > 0 && (
        <table aria-label={title}>
          <thead>
            <tr>
              {props.columns.map((column) => (
                <th key={column} scope="col">
                  {column}
                </th>
              ))}
              {props.canEdit && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>{props.children}</tbody>
        </table>
      )}
      {props.canEdit && props.create}
    </section>
  );
}
