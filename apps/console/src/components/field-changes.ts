/**
 * One field a form edits: its proto name (the update-mask path), its label and how a value
 * reads. `show` must never return a secret value: a secret reads as kept or as new.
 */
export interface ShownField<T> {
  path: string;
  label: string;
  show: (value: T) => string;
}

/** One field whose value differs between two versions. */
export interface FieldChange {
  path: string;
  label: string;
  before: string;
  after: string;
}

/**
 * The fields of `fields` that read differently in `after` than in `before`, in `fields`'
 * order. Fields compare as shown, so spellings that read alike are no change.
 */
export function fieldChanges<T>(
  fields: readonly ShownField<T>[],
  before: T,
  after: T,
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const was = field.show(before);
    const now = field.show(after);
    if (was !== now)
      changes.push({ path: field.path, label: field.label, before: was, after: now });
  }
  return changes;
}
