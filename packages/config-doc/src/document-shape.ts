import type { DescEnum, DescField, DescMessage } from "@bufbuild/protobuf";
import { HeaderValueSchema, RuleSchema } from "@switchyard/api";

/**
 * Fields of the API messages a document leaves out, and why: objects in a document are
 * named, not identified, and ordered by where the file lists them. Everything else about
 * the document's shape comes from the messages themselves (proto/switchyard/v1/document.proto),
 * so a field added to `Rule` is a document key from then on, in the reader, the writer and
 * the JSON Schema alike.
 */
const LEFT_OUT: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map([
  [
    RuleSchema.typeName,
    new Map([
      ["id", "rules are matched by scope and path_pattern, not by id"],
      ["project_id", "a rule belongs to the project it is listed under"],
      ["alias_id", "a rule belongs to the alias it is listed under, or to the project defaults"],
      ["order", "rules are ordered as the file lists them"],
      ["etag", "an apply checks versions itself"],
      ["create_time", "times are the server's"],
      ["update_time", "times are the server's"],
    ]),
  ],
  [
    HeaderValueSchema.typeName,
    new Map([["encrypted_value", "secret values are written as value"]]),
  ],
]);

/** The fields of `message` a document may set, in declaration order. */
export function documentFields(message: DescMessage): DescField[] {
  const leftOut = LEFT_OUT.get(message.typeName);
  return message.fields.filter((f) => !leftOut?.has(f.name));
}

/** Why `name` is not a key of `message` in a document, when the API has such a field. */
export function leftOutReason(message: DescMessage, name: string): string | undefined {
  return LEFT_OUT.get(message.typeName)?.get(name);
}

/**
 * The name a document uses for an enum value: without the prefix every value of the enum
 * shares (`AUTH_MODE_REQUIRE` → `REQUIRE`).
 */
export function enumShortName(desc: DescEnum, number: number): string | undefined {
  return desc.values.find((v) => v.number === number)?.localName;
}

/** Values a document may name: every value but the unspecified zero, by short name. */
export function documentEnumValues(desc: DescEnum): { name: string; number: number }[] {
  return desc.values
    .filter((v) => v.number !== 0)
    .map((v) => ({ name: v.localName, number: v.number }));
}
