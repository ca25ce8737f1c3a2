// biome-ignore-all lint/suspicious/noTemplateCurlyInString: config files spell ${VAR} references literally
import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { ConfigDocumentSchema } from "@switchyard/api";
import { documentEnumValues, documentFields } from "./document-shape.js";

type JsonSchema = Record<string, unknown>;

/**
 * The JSON Schema (draft 2020-12) of a config file, derived from the same descriptors the
 * reader walks, so editors check files exactly as `switchyard validate` reads their shape
 * (the values themselves — patterns, targets, names — are checked by `validate`).
 * docs/switchyard-config.schema.json is this, written by `pnpm --filter
 * @switchyard/config-doc schema`; a test fails when it is stale.
 */
export function documentJsonSchema(): JsonSchema {
  const defs: Record<string, JsonSchema> = {};
  const root = messageSchema(ConfigDocumentSchema, defs);
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://switchyard.dev/schemas/switchyard-config.schema.json",
    title: "Switchyard config file",
    description:
      "Projects with their aliases, domains and rules, applied with `switchyard apply -f`. String values may use ${VAR} references; $${ is a literal ${.",
    ...root,
    $defs: defs,
  };
}

function messageSchema(desc: DescMessage, defs: Record<string, JsonSchema>): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const field of documentFields(desc)) properties[field.name] = fieldSchema(field, defs);
  return { type: "object", additionalProperties: false, properties };
}

function refTo(desc: DescMessage, defs: Record<string, JsonSchema>): JsonSchema {
  if (!(desc.name in defs)) {
    defs[desc.name] = {}; // reserve the name first: messages may refer to each other
    defs[desc.name] = messageSchema(desc, defs);
  }
  return { $ref: `#/$defs/${desc.name}` };
}

function fieldSchema(field: DescField, defs: Record<string, JsonSchema>): JsonSchema {
  switch (field.fieldKind) {
    case "scalar":
      return scalarSchema(field.scalar);
    case "enum":
      return { enum: documentEnumValues(field.enum).map((v) => v.name) };
    case "message":
      return refTo(field.message, defs);
    case "list": {
      const items =
        field.listKind === "message"
          ? refTo(field.message, defs)
          : field.listKind === "enum"
            ? { enum: documentEnumValues(field.enum).map((v) => v.name) }
            : scalarSchema(field.scalar);
      return { type: "array", items };
    }
    case "map":
      return {};
  }
}

function scalarSchema(type: ScalarType): JsonSchema {
  switch (type) {
    case ScalarType.STRING:
      return { type: "string" };
    case ScalarType.BOOL:
      return { type: "boolean" };
    case ScalarType.INT32:
      return { type: "integer", minimum: -(2 ** 31), maximum: 2 ** 31 - 1 };
    default:
      return {};
  }
}
