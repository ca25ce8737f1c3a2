import { type FormEvent, type ReactNode, useState } from "react";
import { fieldErrors } from "../api/errors.js";

interface CreateFormProps<V> {
  /** What is created, in the operator's words: "alias"; the heading's id is `create-<what>-heading`. */
  what: string;
  /** The heading: "Add an alias". */
  title: string;
  /** The values of an empty form. */
  initial: V;
  /** Sends the create; a refusal is shown with the fields. */
  send: (values: V) => Promise<unknown>;
  /** The values to go on with once created. Default: `initial`. */
  next?: (created: V) => V;
  /** After a create: read the lists again. */
  refresh: () => Promise<void>;
  /** The inputs, with the API's errors by field (see `fieldErrors`). */
  children: (values: V, onChange: (values: V) => void, errors: Record<string, string>) => ReactNode;
}

/** A card that adds one resource to a project's list, with an "Add <what>" button. */
export function CreateForm<V>(props: CreateFormProps<V>) {
  const [values, setValues] = useState(props.initial);
  const [error, setError] = useState<unknown>();
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    setError(undefined);
    try {
      await props.send(values);
    } catch (e) {
      setError(e);
      return;
    } finally {
      setPending(false);
    }
    setValues(props.next ? props.next(values) : props.initial);
    await props.refresh();
  }

  const headingId = `create-${props.what}-heading`;
  return (
    <form className="card" aria-labelledby={headingId} onSubmit={submit}>
      <h3 id={headingId}>{props.title}</h3>
      {props.children(values, setValues, fieldErrors(error))}
      <div className="actions">
        <button type="submit" disabled={pending}>
          Add {props.what}
        </button>
      </div>
    </form>
  );
}
