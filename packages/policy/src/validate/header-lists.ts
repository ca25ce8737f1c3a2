import type { Rule } from "@switchyard/api";
import { isHeaderName } from "../headers/header-names.js";
import { checkNameList, Violations } from "./field-checks.js";
import { MAX_HEADER_VALUE_LENGTH, MAX_LIST_LENGTH, MAX_TOKEN_LENGTH } from "./limits.js";
import type { Violation } from "./violation.js";

/** Names that are not tokens are reported by `headerConfigViolations`. */
const notAName = (name: string) => !isHeaderName(name);
const tooLong = (name: string) =>
  name.length > MAX_TOKEN_LENGTH ? `must be at most ${MAX_TOKEN_LENGTH} characters` : undefined;

/**
 * What `headerConfigViolations` (the header policy's own check of names and values)
 * leaves to the API: at most 100 entries in `allowed_headers`, `header_config.add` and
 * `.strip`, names of at most 256 characters, no name twice in one list, values at most 8192 characters, and a value for
 * every secret header (the mask `********` keeps the stored one). Values are never quoted.
 */
export function headerListViolations(rule: Rule): Violation[] {
  const out = new Violations();
  const options = { max: MAX_LIST_LENGTH, skip: notAName, check: tooLong };
  checkNameList(out, "rule.allowed_headers", rule.allowedHeaders, options);
  const config = rule.headerConfig;
  if (config === undefined) return out.list;
  checkNameList(
    out,
    "rule.header_config.add",
    config.add.map((header) => header.name),
    { ...options, itemField: (i) => `rule.header_config.add[${i}].name` },
  );
  checkNameList(out, "rule.header_config.strip", config.strip, options);
  config.add.forEach((header, i) => {
    const field = `rule.header_config.add[${i}].value`;
    if (header.value.length > MAX_HEADER_VALUE_LENGTH) {
      out.add(field, `must be at most ${MAX_HEADER_VALUE_LENGTH} characters`);
    } else if (header.secret && header.value === "") {
      out.add(field, "is required for a secret header (send ******** to keep the stored secret)");
    }
  });
  return out.list;
}
