/**
 * One reason a resource was rejected. `field` is the path as the API names it
 * (`rule.target_url`, `rule.header_config.add[2].name`), `message` says why.
 */
export interface Violation {
  field: string;
  message: string;
}

/** Thrown by `assertValid`; the control plane turns it into `InvalidArgument`. */
export class ValidationError extends Error {
  readonly violations: readonly Violation[];

  constructor(violations: readonly Violation[]) {
    super(formatViolations(violations));
    this.name = "ValidationError";
    this.violations = violations;
  }
}

/** `rule.target_url: http targets are not allowed; ...; rule.timeout_ms: ...` */
export function formatViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `${v.field}: ${v.message}`).join("; ");
}

/** Throws a `ValidationError` when there is any violation. */
export function assertValid(violations: readonly Violation[]): void {
  if (violations.length > 0) throw new ValidationError(violations);
}
