import { type DescMessage, fromBinary, fromJsonString, ScalarType } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { Code, ConnectError } from "@connectrpc/connect";

/** Throws on invalid UTF-8 instead of writing U+FFFD, as protobuf-es's default decoder does. */
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Why `bytes` is not a request message of type `desc` (binary or JSON), as InvalidArgument;
 * undefined when it is one. Stricter than connect-es, which answers a truncated message with
 * `internal` and keeps invalid UTF-8 as U+FFFD:
 *
 * - binary: anything protobuf-es cannot read (truncated, bad wire type, bad varint), and a
 *   `string` field (at any depth) that is not valid UTF-8, which proto3 requires
 *   (protobuf's C++, Java and Go parsers refuse it too), naming the field;
 * - JSON: a body that is not valid UTF-8 (RFC 8259 §8.1), an unknown key, and an enum name
 *   the schema does not have (protobuf's JSON mapping refuses both unless told to ignore
 *   unknown fields; connect-es tells it to, which stores an unknown enum name as 0).
 */
export function decodeFailure(
  desc: DescMessage,
  bytes: Uint8Array,
  binary: boolean,
): ConnectError | undefined {
  if (binary) {
    try {
      fromBinary(desc, bytes);
    } catch (error) {
      return invalid(`request: cannot decode ${desc.typeName} from binary: ${reason(error)}`);
    }
    const field = invalidUtf8Field(desc, bytes, "");
    return field === undefined ? undefined : invalid(`${field}: is not valid UTF-8`);
  }
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return invalid("request: the JSON body is not valid UTF-8 (RFC 8259 §8.1)");
  }
  try {
    fromJsonString(desc, text, { ignoreUnknownFields: false });
  } catch (error) {
    // protobuf-es names the message or enum type; say which field when it can be found.
    const found = jsonProblem(desc, parseJson(text), "");
    return invalid(found ?? `request: ${reason(error)}`);
  }
  return undefined;
}

/**
 * The first unknown key or unknown enum name in the JSON form of a `desc` message, as
 * `path: problem` (`rule.auth.mode: "AUTH_MODE_PWN" is not a value of switchyard.v1.AuthMode`).
 * Well-known types (`google.protobuf.*`) have JSON forms of their own and are not entered.
 */
function jsonProblem(desc: DescMessage, json: unknown, prefix: string): string | undefined {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  for (const [key, value] of Object.entries(json)) {
    const field = desc.fields.find((f) => f.jsonName === key || f.name === key);
    if (field === undefined) {
      return `${prefix}${key}: is not a field of ${desc.typeName}`;
    }
    const path = `${prefix}${field.name}`;
    const problem = (item: unknown, at: string): string | undefined => {
      const kind =
        field.fieldKind === "list"
          ? field.listKind
          : field.fieldKind === "map"
            ? field.mapKind
            : field.fieldKind;
      if (kind === "enum" && field.enum && typeof item === "string") {
        const known = field.enum.values.some((v) => v.name === item);
        return known
          ? undefined
          : `${at}: ${JSON.stringify(item)} is not a value of ${field.enum.typeName}`;
      }
      if (
        kind === "message" &&
        field.message &&
        !field.message.typeName.startsWith("google.protobuf.")
      ) {
        return jsonProblem(field.message, item, `${at}.`);
      }
      return undefined;
    };
    if (field.fieldKind === "list" && Array.isArray(value)) {
      for (const [index, item] of value.entries()) {
        const found = problem(item, `${path}[${index}]`);
        if (found) return found;
      }
    } else if (field.fieldKind === "map" && typeof value === "object" && value !== null) {
      for (const [mapKey, item] of Object.entries(value)) {
        const found = problem(item, `${path}[${JSON.stringify(mapKey)}]`);
        if (found) return found;
      }
    } else {
      const found = problem(value, path);
      if (found) return found;
    }
  }
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The path (`rule.header_config.add[1].value`) of the first `string` field of the well-formed
 * binary message `bytes` whose bytes are not UTF-8; undefined when every one is.
 */
function invalidUtf8Field(
  desc: DescMessage,
  bytes: Uint8Array,
  prefix: string,
): string | undefined {
  const reader = new BinaryReader(bytes);
  const seen = new Map<number, number>();
  while (reader.pos < reader.len) {
    const [number, wireType] = reader.tag();
    const field = desc.fields.find((f) => f.number === number);
    if (field === undefined || wireType !== WireType.LengthDelimited) {
      reader.skip(wireType, number);
      continue;
    }
    const data = reader.bytes();
    const index = seen.get(number) ?? 0;
    seen.set(number, index + 1);
    const path = `${prefix}${field.name}${field.fieldKind === "list" ? `[${index}]` : ""}`;
    switch (field.fieldKind) {
      case "scalar":
      case "list":
        if (field.scalar === ScalarType.STRING && !isUtf8(data)) return path;
        if (field.fieldKind === "list" && field.listKind === "message") {
          const inner = invalidUtf8Field(field.message, data, `${path}.`);
          if (inner !== undefined) return inner;
        }
        break;
      case "message": {
        const inner = invalidUtf8Field(field.message, data, `${path}.`);
        if (inner !== undefined) return inner;
        break;
      }
      case "map": {
        const inner = invalidUtf8InMapEntry(field, data, path);
        if (inner !== undefined) return inner;
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}

/** A map entry is a message with the key as field 1 and the value as field 2. */
function invalidUtf8InMapEntry(
  field: Extract<DescMessage["fields"][number], { fieldKind: "map" }>,
  entry: Uint8Array,
  path: string,
): string | undefined {
  const reader = new BinaryReader(entry);
  while (reader.pos < reader.len) {
    const [number, wireType] = reader.tag();
    if (wireType !== WireType.LengthDelimited || (number !== 1 && number !== 2)) {
      reader.skip(wireType, number);
      continue;
    }
    const data = reader.bytes();
    if (number === 1 && field.mapKey === ScalarType.STRING && !isUtf8(data)) return `${path} key`;
    if (number === 2 && field.mapKind === "scalar" && field.scalar === ScalarType.STRING) {
      if (!isUtf8(data)) return `${path} value`;
    }
    if (number === 2 && field.mapKind === "message") {
      const inner = invalidUtf8Field(field.message, data, `${path} value.`);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function invalid(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
