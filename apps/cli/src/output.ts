import { type DescMessage, type MessageShape, toJson } from "@bufbuild/protobuf";
import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";
import { InvalidArgumentError } from "commander";
import { stringify } from "yaml";

/** `--output` formats. Default `table`. */
export const outputFormats = ["table", "json", "yaml"] as const;
export type OutputFormat = (typeof outputFormats)[number];

/** `--output` as given, in any case (`-o JSON` is `-o json`). */
export function parseOutputFormat(value: string): OutputFormat {
  const format = value.trim().toLowerCase();
  const known = outputFormats.find((f) => f === format);
  if (known === undefined) {
    throw new InvalidArgumentError(`Allowed choices are ${outputFormats.join(", ")}.`);
  }
  return known;
}

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

/**
 * The protobuf JSON form of a message as YAML (what `--output yaml` prints): the same
 * field names and values as `--output json`, so a script can switch between them.
 */
export function formatYaml<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
): string {
  return stringify(toJson(schema, message), { lineWidth: 0 });
}

/** A message in a machine-readable `format` (json or yaml). */
export function formatMessage<Desc extends DescMessage>(
  format: Exclude<OutputFormat, "table">,
  schema: Desc,
  message: MessageShape<Desc>,
): string {
  return format === "yaml" ? formatYaml(schema, message) : formatJson(schema, message);
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
