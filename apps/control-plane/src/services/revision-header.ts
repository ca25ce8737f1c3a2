/**
 * The response header of every RPC that committed a config write: the revision it committed,
 * in decimal (docs/decisions.md, "The revision a write committed"). A client waits for it with
 * `ConfigService.WaitForRevision`. Connect and gRPC-Web send it as an HTTP response header,
 * gRPC in the response's initial metadata.
 */
export const REVISION_HEADER = "switchyard-revision";

/** Sets the header to `revision`, keeping a newer one a handler set before (never lowers it). */
export function setRevisionHeader(header: Headers, revision: bigint): void {
  const current = readRevisionHeader(header);
  if (current === undefined || revision > current) header.set(REVISION_HEADER, `${revision}`);
}

/** The revision in the header; undefined when absent or not a decimal revision. */
export function readRevisionHeader(header: Headers): bigint | undefined {
  const text = header.get(REVISION_HEADER);
  return text !== null && /^[0-9]{1,19}$/.test(text) ? BigInt(text) : undefined;
}
