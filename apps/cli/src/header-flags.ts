import { clone, create } from "@bufbuild/protobuf";
import {
  type HeaderConfig,
  HeaderConfigSchema,
  type HeaderValue,
  HeaderValueSchema,
  SECRET_MASK,
} from "@switchyard/api";
import { parseHeaderAssignment, parseHeaderName } from "./flags.js";
import { UsageError } from "./usage-error.js";

/** The header flags of `rules create` and `rules update`, as commander hands them over. */
export interface HeaderFlags {
  /** `--set-header NAME=VALUE` (and its older name `--add-header`). */
  setHeader?: string[];
  addHeader?: string[];
  /** `--set-secret-header NAME=VALUE` (and its older name `--add-secret-header`). */
  setSecretHeader?: string[];
  addSecretHeader?: string[];
  /** `--strip-header NAME`: remove this header from the upstream request. */
  stripHeader?: string[];
  /** `--remove-header NAME` (update only): forget what the rule does to this header. */
  removeHeader?: string[];
  /** `--clear-headers` (update only): forget every added and stripped header. */
  clearHeaders?: boolean;
}

/**
 * What the header flags change, one header at a time. Applied to the rule's header config as
 * the API shows it, so every header no flag names is kept, a secret one as the mask, which the
 * server reads as "keep the stored secret" (rule-secrets.ts).
 */
export interface HeaderEdits {
  /** Start from no headers instead of the rule's. */
  clear: boolean;
  /** Headers to set, replacing one of the same name (names compare case-insensitively). */
  set: HeaderValue[];
  /** Names to add to the strip list. */
  strip: string[];
  /** Names to drop from both the added headers and the strip list. */
  remove: string[];
}

/** The edits the header flags describe, or undefined when none was given. */
export function headerEditsFromFlags(flags: HeaderFlags): HeaderEdits | undefined {
  const lists = [
    flags.setHeader,
    flags.addHeader,
    flags.setSecretHeader,
    flags.addSecretHeader,
    flags.stripHeader,
    flags.removeHeader,
  ];
  const given = lists.some((v) => v !== undefined);
  if (flags.clearHeaders) {
    if (given) {
      throw new UsageError(
        "--clear-headers: cannot be combined with another header flag (--set-header, --set-secret-header, --strip-header, --remove-header)",
      );
    }
    return { clear: true, set: [], strip: [], remove: [] };
  }
  if (!given) return undefined;

  // Header names are case-insensitive (RFC 9110 §5.1): two flags for one name would be ambiguous.
  const named = new Map<string, string>();
  const claim = (flag: string, name: string) => {
    const other = named.get(name.toLowerCase());
    if (other !== undefined) {
      const also = other === flag ? "" : ` (also to ${other})`;
      throw new UsageError(`${flag}: header ${name} is given twice${also}`);
    }
    named.set(name.toLowerCase(), flag);
  };

  const set: HeaderValue[] = [];
  const assign = (flag: string, raw: string, secret: boolean) => {
    const { name, value } = parseHeaderAssignment(flag, raw);
    if (secret && value === SECRET_MASK) {
      throw new UsageError(
        `${flag}: "${SECRET_MASK}" is what the API shows instead of a secret; give the real value of ${name}`,
      );
    }
    claim(flag, name);
    set.push(create(HeaderValueSchema, { name, value, secret }));
  };
  for (const raw of flags.addHeader ?? []) assign("--add-header", raw, false);
  for (const raw of flags.setHeader ?? []) assign("--set-header", raw, false);
  for (const raw of flags.addSecretHeader ?? []) assign("--add-secret-header", raw, true);
  for (const raw of flags.setSecretHeader ?? []) assign("--set-secret-header", raw, true);

  const names = (flag: string, values: string[] | undefined) => {
    const out: string[] = [];
    for (const value of values ?? []) {
      const name = parseHeaderName(flag, value);
      if (!out.some((n) => n.toLowerCase() === name.toLowerCase())) out.push(name);
    }
    return out;
  };
  const strip = names("--strip-header", flags.stripHeader);
  const remove = names("--remove-header", flags.removeHeader);
  for (const name of remove) claim("--remove-header", name);
  return { clear: false, set, strip, remove };
}

/** The header config after `edits`, and the removed names the config did not have. */
export function applyHeaderEdits(
  current: HeaderConfig | undefined,
  edits: HeaderEdits,
): { headerConfig: HeaderConfig; missing: string[] } {
  const config =
    current === undefined || edits.clear
      ? create(HeaderConfigSchema)
      : clone(HeaderConfigSchema, current);
  const same = (a: string) => (b: string) => a.toLowerCase() === b.toLowerCase();
  const missing: string[] = [];
  for (const name of edits.remove) {
    const before = config.add.length + config.strip.length;
    config.add = config.add.filter((h) => !same(name)(h.name));
    config.strip = config.strip.filter((n) => !same(name)(n));
    if (config.add.length + config.strip.length === before) missing.push(name);
  }
  for (const header of edits.set) {
    const i = config.add.findIndex((h) => same(header.name)(h.name));
    if (i === -1) config.add.push(header);
    else config.add[i] = header;
  }
  for (const name of edits.strip) {
    if (!config.strip.some(same(name))) config.strip.push(name);
  }
  return { headerConfig: config, missing };
}
