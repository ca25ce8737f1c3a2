/** Sizes the API accepts. They bound stored config, not traffic. */

/** `description` of rules and projects, in characters (code points). */
export const MAX_DESCRIPTION_LENGTH = 1024;
/** Entries in each of `allowed_methods`, `allowed_headers`, `header_config.add` and `.strip`. */
export const MAX_LIST_LENGTH = 100;
/** A method or header name. */
export const MAX_TOKEN_LENGTH = 256;
/** A header value in `header_config.add` (typical server limits are 8 KiB per field line). */
export const MAX_HEADER_VALUE_LENGTH = 8192;
/** `target_url` and `egress_proxy_url`. */
export const MAX_URL_LENGTH = 2048;
/** `timeout_ms` when set; 0 means the default, 30000 (DESIGN.md §3). */
export const MIN_TIMEOUT_MS = 100;
export const MAX_TIMEOUT_MS = 60_000;
/** `rate_limit.window_ms`: one second to one day. */
export const MIN_WINDOW_MS = 1000;
export const MAX_WINDOW_MS = 86_400_000;
/** A token's `name`. */
export const MAX_TOKEN_NAME_LENGTH = 100;

/** Length in code points, so an emoji counts once. */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
