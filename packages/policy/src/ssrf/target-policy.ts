import { type AllowList, EMPTY_ALLOW_LIST, parseAllowList } from "./allow-list.js";
import { TargetPolicyError } from "./target-policy-error.js";

/** Where rules may send traffic (DESIGN.md §2, §4 SSRF). */
export interface TargetPolicy {
  /** `http:` targets are allowed. Default false: https only. */
  readonly allowHttp: boolean;
  /** Addresses and names exempt from SSRF blocking. Default: none. */
  readonly allowPrivate: AllowList;
}

/** https only, nothing private: what a worker enforces when no setting says otherwise. */
export const DEFAULT_TARGET_POLICY: TargetPolicy = {
  allowHttp: false,
  allowPrivate: EMPTY_ALLOW_LIST,
};

export interface TargetPolicyInput {
  /** `SWITCHYARD_ALLOW_HTTP_TARGETS`: a boolean, or "true"/"false"/"1"/"0" (case-insensitive); "" or unset is false. */
  readonly allowHttp?: boolean | string;
  /** `SWITCHYARD_ALLOW_PRIVATE_TARGETS`: a comma-separated string or a list. */
  readonly allowPrivate?: string | readonly string[];
}

/** Reads the two settings strictly; throws a `TargetPolicyError` naming the setting and entry. */
export function parseTargetPolicy(input: TargetPolicyInput = {}): TargetPolicy {
  return {
    allowHttp: parseFlag(input.allowHttp),
    allowPrivate:
      input.allowPrivate === undefined ? EMPTY_ALLOW_LIST : parseAllowList(input.allowPrivate),
  };
}

function parseFlag(value: boolean | string | undefined): boolean {
  if (value === undefined || typeof value === "boolean") return value ?? false;
  switch (value.trim().toLowerCase()) {
    case "":
    case "false":
    case "0":
      return false;
    case "true":
    case "1":
      return true;
    default:
      throw new TargetPolicyError(
        "SWITCHYARD_ALLOW_HTTP_TARGETS",
        value,
        'is not a boolean; use "true" or "false"',
      );
  }
}
