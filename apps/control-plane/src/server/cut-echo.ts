/** How much of an echoed request value an error message keeps. */
export const ECHO_MAX_CHARS = 64;
/** A backstop for a whole message (many violations, each echoing a value). */
export const MESSAGE_MAX_CHARS = 2_048;

/** A double-quoted string, escapes included: how messages here quote what a caller sent. */
const QUOTED = /"((?:[^"\\]|\\.)*)"/g;

/**
 * `message` with every quoted value longer than {@link ECHO_MAX_CHARS} cut to that many
 * characters and "…" (`notFound` quotes a 1 MB id whole), and the whole message cut to
 * {@link MESSAGE_MAX_CHARS}. A cut never ends inside an escape or a surrogate pair.
 */
export function cutEchoes(message: string): string {
  const cut = message.replace(QUOTED, (quoted, inner: string) =>
    inner.length > ECHO_MAX_CHARS ? `"${cleanCut(inner, ECHO_MAX_CHARS)}…"` : quoted,
  );
  return cut.length > MESSAGE_MAX_CHARS ? `${cleanCut(cut, MESSAGE_MAX_CHARS)}…` : cut;
}

function cleanCut(text: string, length: number): string {
  let out = text.slice(0, length);
  // A high surrogate without its pair would turn into U+FFFD on the wire.
  const last = out.charCodeAt(out.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) out = out.slice(0, -1);
  // An odd run of trailing backslashes is an escape cut in two.
  const slashes = /\\+$/.exec(out)?.[0].length ?? 0;
  if (slashes % 2 === 1) out = out.slice(0, -1);
  return out;
}
