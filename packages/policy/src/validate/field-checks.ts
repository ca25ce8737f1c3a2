import type { Violation } from "./violation.js";

/** Collects violations under one resource's field paths (`rule.header_config.add[2].name`). */
export class Violations {
  readonly list: Violation[] = [];

  add(field: string, message: string): void {
    this.list.push({ field, message });
  }

  addAll(violations: readonly Violation[]): void {
    this.list.push(...violations);
  }
}

export interface NameListOptions {
  /** Most entries allowed. */
  readonly max: number;
  /** Why one name is wrong; a wrong name is reported and not compared. Default: none is. */
  readonly check?: (name: string) => string | undefined;
  /** Names to leave out silently (already reported elsewhere). Default: none. */
  readonly skip?: (name: string) => boolean;
  /** The field of entry `index`. Default: `${field}[${index}]`. */
  readonly itemField?: (index: number) => string;
}

/**
 * Checks a list of names: at most `max` entries, each valid per `check`, no name twice
 * (compared case-insensitively, like HTTP field names and, once upper-cased, methods).
 */
export function checkNameList(
  out: Violations,
  field: string,
  names: readonly string[],
  { max, check, skip, itemField = (index) => `${field}[${index}]` }: NameListOptions,
): void {
  if (names.length > max) out.add(field, `must have at most ${max} entries, has ${names.length}`);
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    if (skip?.(name)) return;
    const problem = check?.(name);
    if (problem !== undefined) {
      out.add(itemField(i), problem);
      return;
    }
    const key = name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined)
      out.add(itemField(i), `repeats "${names[first]}" (${itemField(first)})`);
    else seen.set(key, i);
  });
}
