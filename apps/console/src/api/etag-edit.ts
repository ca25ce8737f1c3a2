import { Code, ConnectError } from "@connectrpc/connect";
import { useState } from "react";
import { errorMessage, fieldErrors, isConflict } from "./errors.js";

/** A conflict: the write was refused for a stale etag; `current` is undefined when deleted since. */
export interface Conflict<R> {
  current: R | undefined;
}

interface EditOptions<V, R extends { etag: string }> {
  /** Sends the edit with the etag it was based on (update with an update mask). */
  send: (values: V, etag: string) => Promise<unknown>;
  /** Reads the server's current version; throws NotFound when it is gone. */
  fetchCurrent: () => Promise<R>;
  /** The form's values for a version of the resource. */
  toValues: (resource: R) => V;
  /** After a save or a conflict: read the lists again. */
  refresh: () => Promise<void>;
}

/** The state of editing one resource under its etag. */
export interface EtagEdit<V, R> {
  /** The values being edited; undefined when not editing. */
  values: V | undefined;
  /** The values of the version the edit started from (or loaded); undefined when not editing. */
  base: V | undefined;
  start: (resource: R) => void;
  change: (values: V) => void;
  cancel: () => void;
  save: () => Promise<void>;
  saving: boolean;
  /** The API's complaints by field (see `fieldErrors`). */
  errors: Record<string, string>;
  conflict: Conflict<R> | undefined;
  /** Takes the current version (and its etag) into the form; sends nothing. */
  loadCurrent: () => void;
}

/**
 * Editing a resource with optimistic concurrency (AIP-154): the etag is the one read when
 * the edit started, not whatever a background refetch brought since, so a change made
 * elsewhere meanwhile is refused by the server and shown here — never overwritten.
 */
export function useEtagEdit<V, R extends { etag: string }>(
  options: EditOptions<V, R>,
): EtagEdit<V, R> {
  const [edit, setEdit] = useState<{ values: V; base: V; etag: string }>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [conflict, setConflict] = useState<Conflict<R>>();
  const [saving, setSaving] = useState(false);

  const start = (resource: R) => {
    const values = options.toValues(resource);
    setEdit({ values, base: values, etag: resource.etag });
    setErrors({});
    setConflict(undefined);
  };
  const cancel = () => {
    setEdit(undefined);
    setErrors({});
    setConflict(undefined);
  };

  async function save() {
    if (edit === undefined) return;
    setSaving(true);
    setErrors({});
    try {
      await options.send(edit.values, edit.etag);
      setEdit(undefined);
      setConflict(undefined);
      await options.refresh();
    } catch (error) {
      if (isConflict(error)) {
        setConflict({ current: await readCurrent(options.fetchCurrent) });
        await options.refresh();
      } else {
        setErrors(fieldErrors(error));
      }
    } finally {
      setSaving(false);
    }
  }

  return {
    values: edit?.values,
    base: edit?.base,
    start,
    change: (values) => setEdit((e) => (e ? { ...e, values } : e)),
    cancel,
    save,
    saving,
    errors,
    conflict,
    loadCurrent: () => {
      if (conflict?.current !== undefined) start(conflict.current);
    },
  };
}

interface DeleteOptions<R> {
  /** Deletes with the etag the operator saw. */
  send: (etag: string) => Promise<unknown>;
  fetchCurrent: () => Promise<R>;
  refresh: () => Promise<void>;
}

/** The state of deleting one resource under its etag. */
export interface EtagDelete<R> {
  remove: (etag: string) => Promise<boolean>;
  deleting: boolean;
  /** A refusal that is not a conflict, e.g. FailedPrecondition "still has 2 aliases". */
  error: string | undefined;
  conflict: Conflict<R> | undefined;
  clear: () => void;
}

/** Deleting a resource only if it is still the version shown (stale etag: shown, not deleted). */
export function useEtagDelete<R>(options: DeleteOptions<R>): EtagDelete<R> {
  const [error, setError] = useState<string>();
  const [conflict, setConflict] = useState<Conflict<R>>();
  const [deleting, setDeleting] = useState(false);

  async function remove(etag: string): Promise<boolean> {
    setDeleting(true);
    setError(undefined);
    setConflict(undefined);
    try {
      await options.send(etag);
      await options.refresh();
      return true;
    } catch (e) {
      if (isConflict(e)) {
        setConflict({ current: await readCurrent(options.fetchCurrent) });
        await options.refresh();
      } else {
        setError(errorMessage(e));
      }
      return false;
    } finally {
      setDeleting(false);
    }
  }

  return {
    remove,
    deleting,
    error,
    conflict,
    clear: () => {
      setError(undefined);
      setConflict(undefined);
    },
  };
}

/** The current version, or undefined when it was deleted meanwhile. */
async function readCurrent<R>(fetchCurrent: () => Promise<R>): Promise<R | undefined> {
  try {
    return await fetchCurrent();
  } catch (error) {
    if (error instanceof ConnectError && error.code === Code.NotFound) return undefined;
    throw error;
  }
}
