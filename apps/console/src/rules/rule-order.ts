/** An order of a scope's rules that is not saved yet, and the server order it started from. */
export interface PendingOrder {
  /** The scope's rule ids as the server listed them when the first move was made. */
  base: readonly string[];
  /** The ids in the order the user arranged. */
  order: readonly string[];
}

/** `ids` with the entry at `from` moved to `to` (both in range). */
export function moveId(ids: readonly string[], from: number, to: number): string[] {
  const next = [...ids];
  const [moved] = next.splice(from, 1);
  if (moved !== undefined) next.splice(to, 0, moved);
  return next;
}

/** True when `a` and `b` list the same ids in the same order. */
export function sameOrder(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/** True when `a` and `b` hold the same ids, in any order. */
export function sameIds(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return a.length === b.length && b.every((id) => set.has(id));
}

/** One position of a reorder preview: what stood there before and what stands there after. */
export interface OrderRow {
  position: number;
  before: string;
  after: string;
  moved: boolean;
}

/** The rows of a before/after table for moving from `before` to `after`, named by `name`. */
export function orderRows(
  before: readonly string[],
  after: readonly string[],
  name: (id: string) => string,
): OrderRow[] {
  return after.map((id, i) => ({
    position: i + 1,
    before: name(before[i] ?? ""),
    after: name(id),
    moved: before[i] !== id,
  }));
}
