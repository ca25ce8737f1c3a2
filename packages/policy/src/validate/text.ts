import { characterCount, MAX_DESCRIPTION_LENGTH } from "./limits.js";

/** Options of {@link checkText}. */
export interface TextOptions {
  /** Keep tab and line feed (descriptions). Default false: one line (names). */
  readonly multiline?: boolean;
}

// C0 controls, DEL and C1 controls (Unicode general category Cc).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// The same without tab (U+0009) and line feed (U+000A).
const CONTROL_BUT_TAB_AND_LF = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
// In a `u` regex a surrogate only matches when unpaired.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Why `text` cannot be stored as free text (a description, a token name), or undefined.
 *
 * Control characters are refused: Postgres cannot store U+0000 in `text` or `jsonb` at all,
 * and the others (ESC, CR, backspace, C1 CSI) rewrite the terminal of whoever prints the
 * text, e.g. `switchyard rule view`. `multiline` text keeps tab and line feed; a line break
 * is "\n", so CR is refused too. Lone surrogates are refused as well: they are not Unicode
 * text, and `jsonb` rejects them.
 */
export function checkText(text: string, options: TextOptions = {}): string | undefined {
  const control = (options.multiline ? CONTROL_BUT_TAB_AND_LF : CONTROL).exec(text);
  if (control !== null) {
    const kept = options.multiline ? "; tab and line feed are allowed" : "";
    return `must not contain control characters (${codePoint(control[0])})${kept}`;
  }
  const surrogate = LONE_SURROGATE.exec(text);
  if (surrogate !== null) {
    return `must be Unicode text; it has a lone surrogate (${codePoint(surrogate[0])})`;
  }
  return undefined;
}

function codePoint(char: string): string {
  return `U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Why a project's or rule's `description` is wrong, or undefined: at most
 * {@link MAX_DESCRIPTION_LENGTH} characters of multi-line text (see {@link checkText}).
 */
export function checkDescription(description: string): string | undefined {
  if (characterCount(description) > MAX_DESCRIPTION_LENGTH) {
    return `must be at most ${MAX_DESCRIPTION_LENGTH} characters`;
  }
  return checkText(description, { multiline: true });
}
