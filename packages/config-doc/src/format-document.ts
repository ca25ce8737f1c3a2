import { type DescField, type DescMessage, isFieldSet, type Message } from "@bufbuild/protobuf";
import { type ConfigDocument, ConfigDocumentSchema } from "@switchyard/api";
import { stringify } from "yaml";
import { documentFields, enumShortName } from "./document-shape.js";

/**
 * `doc` as a YAML config file: proto field names, enum short names, and only the fields
 * that are set (an optional field set to its default, like `strip_prefix: false`, is
 * written; an empty list or string is not). Strings are written as they are: a document
 * holds `${VAR}` references and `$${` escapes in the form a file spells them.
 */
export function formatDocument(doc: ConfigDocument): string {
  return stringify(plain(ConfigDocumentSchema, doc), { lineWidth: 0 });
}

/** The document as plain JSON-like data, keyed as a file spells it. */
export function documentData(doc: ConfigDocument): Record<string, unknown> {
  return plain(ConfigDocumentSchema, doc);
}

function plain(desc: DescMessage, message: Message): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const record = message as unknown as Record<string, unknown>;
  for (const field of documentFields(desc)) {
    if (!isFieldSet(message, field)) continue;
    const value = fieldValue(field, record[field.localName]);
    if (value !== undefined) out[field.name] = value;
  }
  return out;
}

function fieldValue(field: DescField, value: unknown): unknown {
  switch (field.fieldKind) {
    case "scalar":
      return typeof value === "bigint" ? Number(value) : value;
    case "enum":
      return enumShortName(field.enum, value as number);
    case "message":
      return plain(field.message, value as Message);
    case "list": {
      const items = value as unknown[];
      if (field.listKind === "message") return items.map((m) => plain(field.message, m as Message));
      if (field.listKind === "enum")
        return items.map((n) => enumShortName(field.enum, n as number));
      return items;
    }
    case "map":
      return undefined;
  }
}
