import { createContext, type ReactNode, useContext, useId } from "react";

/**
 * How the fields inside show their hint and errors. "page" (the default): each error is an
 * alert of its own, for forms without an error summary. "rules": the rule form's look, where
 * errors are listed under each field and the form's summary announces them and takes focus to
 * the first (see RuleEditor), text inputs turn autocomplete off, and a checkbox precedes its label.
 */
export type FieldLook = "page" | "rules";

const LookContext = createContext<FieldLook>("page");

/** Gives the fields inside a look other than "page". */
export const FieldLookProvider = LookContext.Provider;

/** The API's message, or messages, for one field. */
export type FieldErrorText = string | readonly string[] | undefined;

function messagesOf(error: FieldErrorText): readonly string[] {
  if (error === undefined || error === "") return [];
  return typeof error === "string" ? [error] : error;
}

/** The error under a field; `id` is its own id, the one its input's aria-describedby names. */
export function FieldError({ id, error }: { id: string; error: FieldErrorText }) {
  const look = useContext(LookContext);
  const messages = messagesOf(error);
  if (messages.length === 0) return null;
  if (look === "rules") {
    return (
      <ul id={id} className="field-error">
        {messages.map((message) => (
          <li key={message}>{message}</li>
        ))}
      </ul>
    );
  }
  return (
    <p id={id} className="field-error" role="alert">
      {messages.join(" ")}
    </p>
  );
}

/** The hint under a field. */
function FieldHint({ id, hint }: { id: string; hint: ReactNode }) {
  const look = useContext(LookContext);
  if (!hint) return null;
  return look === "rules" ? (
    <div id={id} className="sy-rules-hint">
      {hint}
    </div>
  ) : (
    <p id={id} className="muted">
      {hint}
    </p>
  );
}

/** What an input is described by: its hint and its error, when shown. */
function describedBy(id: string, hint: ReactNode, error: FieldErrorText): string | undefined {
  const ids = [hint ? `${id}-hint` : "", messagesOf(error).length > 0 ? `${id}-error` : ""];
  return ids.filter(Boolean).join(" ") || undefined;
}

interface TextFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** The input's id; its hint is `${id}-hint`, its error `${id}-error`. Default: a unique id. */
  id?: string;
  /** The input's name, e.g. the API's field path `rule.target_url`. Default: the id. */
  name?: string;
  /** The API's message(s) for this field, shown under it. */
  error?: FieldErrorText;
  hint?: ReactNode;
  /** Input type. Default "text". */
  type?: "text" | "number" | "url" | "password" | "datetime-local";
  /** A textarea instead of an input. Default false. */
  multiline?: boolean;
  required?: boolean;
  disabled?: boolean;
  placeholder?: string;
  min?: number;
  max?: number;
  maxLength?: number;
  /** Default "off" in the "rules" look, else the browser's. */
  autoComplete?: string;
  autoFocus?: boolean;
}

/** A labelled text input (or textarea) with its hint and the API's error beside it. */
export function TextField(props: TextFieldProps) {
  const look = useContext(LookContext);
  const uniqueId = useId();
  const id = props.id ?? uniqueId;
  const common = {
    id,
    name: props.name ?? id,
    value: props.value,
    required: props.required,
    disabled: props.disabled,
    placeholder: props.placeholder,
    maxLength: props.maxLength,
    "aria-invalid": messagesOf(props.error).length > 0 || undefined,
    "aria-describedby": describedBy(id, props.hint, props.error),
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
          autoComplete={props.autoComplete ?? (look === "rules" ? "off" : undefined)}
          // biome-ignore lint/a11y/noAutofocus: focus moves to the first input of a form the user just opened.
          autoFocus={props.autoFocus}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
      <FieldHint id={`${id}-hint`} hint={props.hint} />
      <FieldError id={`${id}-error`} error={props.error} />
    </div>
  );
}

interface SelectFieldProps {
  label: string;
  value: string | number;
  onChange: (value: string) => void;
  /** The select's id; its error is `${id}-error`. Default: a unique id. */
  id?: string;
  /** The select's name, e.g. the API's field path. Default none. */
  name?: string;
  error?: FieldErrorText;
  /** The choices, as `<option>`s. */
  children: ReactNode;
}

/** A labelled select with the API's error beside it. */
export function SelectField(props: SelectFieldProps) {
  const uniqueId = useId();
  const id = props.id ?? uniqueId;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        name={props.name}
        value={props.value}
        aria-invalid={messagesOf(props.error).length > 0 || undefined}
        aria-describedby={describedBy(id, undefined, props.error)}
        onChange={(e) => props.onChange(e.target.value)}
      >
        {props.children}
      </select>
      <FieldError id={`${id}-error`} error={props.error} />
    </div>
  );
}

interface CheckFieldProps {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  /** The checkbox's id. Default: a unique id. */
  id?: string;
  /** The checkbox's name, e.g. the API's field path. Default none. */
  name?: string;
  error?: FieldErrorText;
  hint?: ReactNode;
  disabled?: boolean;
}

/**
 * A labelled checkbox. In the "page" look the label wraps the box (an inline choice with no
 * hint or error of its own); in the "rules" look it has its hint and the API's errors.
 */
export function CheckField(props: CheckFieldProps) {
  const look = useContext(LookContext);
  const uniqueId = useId();
  const id = props.id ?? uniqueId;
  const box = (
    <input
      id={id}
      type="checkbox"
      name={props.name}
      checked={props.checked}
      disabled={props.disabled}
      aria-invalid={messagesOf(props.error).length > 0 || undefined}
      aria-describedby={describedBy(id, props.hint, props.error)}
      onChange={(e) => props.onChange(e.target.checked)}
    />
  );
  if (look === "page") {
    return (
      <label className="inline" htmlFor={id}>
        {box}
        {props.label}
      </label>
    );
  }
  return (
    <div className="field sy-rules-check">
      {box}
      <label htmlFor={id}>{props.label}</label>
      <FieldHint id={`${id}-hint`} hint={props.hint} />
      <FieldError id={`${id}-error`} error={props.error} />
    </div>
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
