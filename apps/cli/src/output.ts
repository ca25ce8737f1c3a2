import { type DescMessage, type MessageShape, toJson } from "@bufbuild/protobuf";
import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";

/** `--output` formats. Default `table`. */
export const outputFormats = ["table", "json"] as const;
export type OutputFormat = (typeof outputFormats)[number];

/** One column of a table: its header and how a row renders into it. */
export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** Longer cells are cut with "…". Default: no limit. */
  maxWidth?: number;
}

/**
 * A plain-text table: upper-case headers, columns two spaces apart, no trailing
 * blanks. Control characters in cells become spaces so one row stays one line.
 */
export function formatTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const cells = rows.map((row) => columns.map((c) => cell(c.value(row), c.maxWidth)));
  const headers = columns.map((c) => c.header.toUpperCase());
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(headers), ...cells.map(line)].join("\n") + "\n";
}

/** One resource as `field: value` lines, values aligned. Empty values show as "-". */
export function formatDetails(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(...fields.map(([k]) => k.length)) + 1;
  return fields.map(([k, v]) => `${`${k}:`.padEnd(width)}  ${cell(v) || "-"}`).join("\n") + "\n";
}

/** The protobuf JSON form of a message (what `--output json` prints), one document. */
export function formatJson<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
): string {
  return JSON.stringify(toJson(schema, message), null, 2) + "\n";
}

/** A timestamp as `2025-01-31T12:00:00Z`, or "" when unset. */
export function formatTime(ts: Timestamp | undefined): string {
  return ts
    ? timestampDate(ts)
        .toISOString()
        .replace(/\.\d{3}Z$/, "Z")
    : "";
}

/** "yes" / "no". */
export function formatBool(value: boolean): string {
  return value ? "yes" : "no";
}

function cell(value: string, maxWidth?: number): string {
  const flat = value.replace(/[\u0000-\u001f\u007f]/g, " ");
  return maxWidth !== undefined && flat.length > maxWidth
    ? `${flat.slice(0, maxWidth - 1)}…`
    : flat;
}
