import { errorMessage, FORM, fieldErrors } from "../api/errors.js";

/**
 * What a failed save said, by the field the API named (`rule.path_pattern`,
 * `rule.header_config.add[1].name`), plus what named no field.
 */
export interface FormErrors {
  fields: ReadonlyMap<string, readonly string[]>;
  general: readonly string[];
}

export const NO_ERRORS: FormErrors = { fields: new Map(), general: [] };

/** The errors of `error` as the form shows them. */
export function formErrors(error: unknown): FormErrors {
  const fields = new Map<string, string[]>();
  const general: string[] = [];
  for (const [field, message] of Object.entries(fieldErrors(error))) {
    if (field === FORM) general.push(message);
    else fields.set(field, [message]);
  }
  if (fields.size === 0 && general.length === 0) general.push(errorMessage(error));
  return { fields, general };
}

/**
 * The messages for the input bound to `path`. With `nested`, also those of any
 * path below it (`rule.allowed_headers[3]` for `rule.allowed_headers`).
 */
export function errorsAt(errors: FormErrors, path: string, nested = false): string[] {
  const out: string[] = [];
  for (const [field, messages] of errors.fields) {
    const below = nested && (field.startsWith(`${path}[`) || field.startsWith(`${path}.`));
    if (field === path || below) out.push(...messages);
  }
  return out;
}

/** True when there is nothing to show. */
export function hasErrors(errors: FormErrors): boolean {
  return errors.fields.size > 0 || errors.general.length > 0;
}
