import { clone, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import type { FieldMask } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";

/**
 * AIP-134/161: copies the fields of `patch` named by `mask` onto a copy of
 * `current`. Paths are proto field names (`target_url`); an empty mask or
 * `*` means every field of `updatable`. A path outside `updatable` (unknown,
 * nested or read-only) is InvalidArgument naming it.
 */
export function applyUpdateMask<Desc extends DescMessage>(
  schema: Desc,
  current: MessageShape<Desc>,
  patch: MessageShape<Desc>,
  mask: FieldMask | undefined,
  updatable: readonly string[],
): MessageShape<Desc> {
  const paths = mask?.paths ?? [];
  const selected =
    paths.length === 0 || (paths.length === 1 && paths[0] === "*") ? updatable : paths;
  const next = clone(schema, current) as Record<string, unknown>;
  for (const path of selected) {
    const field = updatable.includes(path) ? schema.fields.find((f) => f.name === path) : undefined;
    if (!field) {
      throw new ConnectError(
        `update_mask: cannot update "${path}"; updatable fields: ${updatable.join(", ")}`,
        Code.InvalidArgument,
      );
    }
    next[field.localName] = (patch as Record<string, unknown>)[field.localName];
  }
  return next as MessageShape<Desc>;
}
