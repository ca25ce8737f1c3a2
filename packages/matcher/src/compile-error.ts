/** Something in a snapshot the route table had to leave out or could not prepare. */
export interface CompileError {
  readonly resource: "rule" | "domain";
  /** The rule's id, or the domain's host. */
  readonly id: string;
  /** The field at fault as the API names it (`path_pattern`, `host`); unset for a `prepare` failure. */
  readonly field?: string;
  /** Names the resource and the field: `rule r1: path_pattern "/a//b": must not contain …`. */
  readonly message: string;
}

export function ruleError(id: string, field: string | undefined, detail: string): CompileError {
  const at = field === undefined ? "" : `${field} `;
  return { resource: "rule", id, field, message: `rule ${id}: ${at}${detail}` };
}

export function domainError(host: string, detail: string): CompileError {
  return { resource: "domain", id: host, field: "host", message: `domain ${host}: host ${detail}` };
}
