import type { ReactNode } from "react";

interface TextFieldProps {
  /** The input's id; its error is `${id}-error`. */
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** The API's message for this field, shown under it and announced. */
  error?: string | undefined;
  type?: "text" | "number" | "url" | "datetime-local";
  required?: boolean;
  placeholder?: string;
  hint?: ReactNode;
  autoFocus?: boolean;
}

/** A labelled input with its error from the API beside it. */
export function TextField(props: TextFieldProps) {
  const { id, label, value, onChange, error, type = "text", required, placeholder, hint } = props;
  const describedBy = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={id}
        type={type}
        value={value}
        required={required}
        placeholder={placeholder}
        // biome-ignore lint/a11y/noAutofocus: focus moves to the first input of a form the user just opened.
        autoFocus={props.autoFocus}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
      />
      {hint && (
        <p id={`${id}-hint`} className="muted">
          {hint}
        </p>
      )}
      <FieldError id={id} error={error} />
    </div>
  );
}

/** The error under a field, with the id its input's aria-describedby points at. */
export function FieldError({ id, error }: { id: string; error?: string | undefined }) {
  if (!error) return null;
  return (
    <p id={`${id}-error`} className="field-error" role="alert">
      {error}
    </p>
  );
}

/** Messages that name no field of the form (or a field it has no input for). */
export function FormErrors({ messages }: { messages: readonly string[] }) {
  if (messages.length === 0) return null;
  return (
    <div className="form-errors" role="alert">
      {messages.map((m) => (
        <p key={m}>{m}</p>
      ))}
    </div>
  );
}
