import { useId } from "react";
import { FieldError, TextField } from "../components/Field.js";
import type { SectionProps } from "./form-section.js";
import { STANDARD_METHODS } from "./rule-draft.js";

/** Allowed methods: the standard ones as checkboxes, any other typed. */
export function MethodsFieldset({ draft, onChange, errors }: SectionProps & { errors: string[] }) {
  const errorId = useId();
  const toggle = (method: string, on: boolean) => {
    const chosen = new Set(draft.methods);
    if (on) chosen.add(method);
    else chosen.delete(method);
    onChange({ ...draft, methods: STANDARD_METHODS.filter((m) => chosen.has(m)) });
  };
  return (
    <fieldset
      className="sy-rules-fieldset"
      aria-describedby={errors.length > 0 ? errorId : undefined}
    >
      <legend>Allowed methods</legend>
      <p className="sy-rules-hint">
        None chosen: every method. CONNECT and TRACE are never allowed.
      </p>
      <div className="sy-rules-methods">
        {STANDARD_METHODS.map((method) => (
          <label key={method} className="sy-rules-check">
            <input
              type="checkbox"
              name="rule.allowed_methods"
              value={method}
              checked={draft.methods.includes(method)}
              onChange={(e) => toggle(method, e.target.checked)}
            />
            {method}
          </label>
        ))}
      </div>
      <TextField
        label="Other methods"
        name="rule.allowed_methods.other"
        value={draft.otherMethods}
        onChange={(v) => onChange({ ...draft, otherMethods: v })}
        error={[]}
        hint="Comma-separated, e.g. PROPFIND, MKCOL."
      />
      <FieldError id={errorId} error={errors} />
    </fieldset>
  );
}
