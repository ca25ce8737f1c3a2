import type { DescEnum, DescMessage, Message } from "@bufbuild/protobuf";
import { type ReflectMessage, reflect } from "@bufbuild/protobuf/reflect";

/**
 * The first enum value in `message` (at any depth) that its enum does not define, with the
 * field's path in the API's spelling (`rule.auth.mode`); undefined when there is none.
 * proto3 enums are open: protobuf-es keeps an unknown number read from binary (or given as a
 * JSON number) as is, where a check against the known values would let it through as
 * "not REQUIRE", and a store would keep it.
 */
export function findUnknownEnum(
  desc: DescMessage,
  message: Message,
): { field: string; value: number; enumName: string } | undefined {
  return walk(reflect(desc, message), "");
}

function walk(
  message: ReflectMessage,
  prefix: string,
): ReturnType<typeof findUnknownEnum> | undefined {
  for (const field of message.fields) {
    if (!message.isSet(field)) continue;
    const path = `${prefix}${field.name}`;
    switch (field.fieldKind) {
      case "enum": {
        const found = check(field.enum, message.get(field), path);
        if (found) return found;
        break;
      }
      case "message": {
        const found = walk(message.get(field), `${path}.`);
        if (found) return found;
        break;
      }
      case "list": {
        let index = 0;
        for (const item of message.get(field)) {
          const at = `${path}[${index++}]`;
          const found =
            field.listKind === "enum"
              ? check(field.enum, item, at)
              : field.listKind === "message"
                ? walk(item as ReflectMessage, `${at}.`)
                : undefined;
          if (found) return found;
        }
        break;
      }
      case "map": {
        for (const [key, value] of message.get(field)) {
          const at = `${path}[${JSON.stringify(key)}]`;
          const found =
            field.mapKind === "enum"
              ? check(field.enum, value, at)
              : field.mapKind === "message"
                ? walk(value as ReflectMessage, `${at}.`)
                : undefined;
          if (found) return found;
        }
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}

function check(desc: DescEnum, value: unknown, field: string) {
  const number = value as number;
  return desc.value[number] === undefined
    ? { field, value: number, enumName: desc.typeName }
    : undefined;
}
