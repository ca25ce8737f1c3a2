import { type ReactNode, useId } from "react";

/** The error list under an input; `id` is what the input's aria-describedby points at. */
export function FieldMessages({ id, messages }: { id: string; messages: readonly string[] }) {
  if (messages.length === 0) return null;
  return (
    <ul id={id} className="field-error">
      {messages.map((message) => (
        <li key={message}>{message}</li>
      ))}
    </ul>
  );
}

/** Ids an input is described by: its hint and its errors, when shown. */
function describedBy(hintId: string, hint: ReactNode, errorId: string, errors: readonly string[]) {
  const ids = [hint ? hintId : "", errors.length > 0 ? errorId : ""].filter(Boolean);
  return ids.length > 0 ? ids.join(" ") : undefined;
}

interface TextFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** The API's name for the field, e.g. `rule.target_url`: tests and error lookups use it. */
  path: string;
  errors: readonly string[];
  hint?: ReactNode;
  /** Input type. Default "text". */
  type?: "text" | "url" | "number" | "password";
  /** A textarea instead of an input. Default false. */
  multiline?: boolean;
  required?: boolean;
  disabled?: boolean;
  placeholder?: string;
  min?: number;
  max?: number;
  maxLength?: number;
  autoComplete?: string;
}

/** A labelled text input (or textarea) with its hint and the API's errors for it. */
export function TextField(props: TextFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const common = {
    id,
    name: props.path,
    value: props.value,
    required: props.required,
    disabled: props.disabled,
    placeholder: props.placeholder,
    maxLength: props.maxLength,
    "aria-invalid": props.errors.length > 0 || undefined,
    "aria-describedby": describedBy(hintId, props.hint, errorId, props.errors),
  };
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.multiline ? (
        <textarea {...common} rows={3} onChange={(e) => props.onChange(e.target.value)} />
      ) : (
        <input
          {...common}
          type={props.type ?? "text"}
          min={props.min}
          max={props.max}
          autoComplete={props.autoComplete ?? "off"}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
      {props.hint && (
        <div id={hintId} className="sy-rules-hint">
          {props.hint}
        </div>
      )}
      <FieldMessages id={errorId} messages={props.errors} />
    </div>
  );
}

interface CheckFieldProps {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  path: string;
  errors: readonly string[];
  hint?: ReactNode;
  disabled?: boolean;
}

/** A labelled checkbox with its hint and the API's errors for it. */
export function CheckField(props: CheckFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  return (
    <div className="field sy-rules-check">
      <input
        id={id}
        type="checkbox"
        name={props.path}
        checked={props.checked}
        disabled={props.disabled}
        aria-invalid={props.errors.length > 0 || undefined}
        aria-describedby={describedBy(hintId, props.hint, errorId, props.errors)}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      <label htmlFor={id}>{props.label}</label>
      {props.hint && (
        <div id={hintId} className="sy-rules-hint">
          {props.hint}
        </div>
      )}
      <FieldMessages id={errorId} messages={props.errors} />
    </div>
  );
}
