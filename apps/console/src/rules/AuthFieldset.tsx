import { AuthMode } from "@switchyard/api";
import { useId } from "react";
import { FieldError, TextField } from "../components/Field.js";
import { ClaimRows } from "./ClaimRows.js";
import { errorsAt, type FormErrors } from "./form-errors.js";
import type { SectionProps } from "./form-section.js";
import { AUTH_MODE_LABELS } from "./rule-diff.js";
import type { RuleDraft } from "./rule-draft.js";

const AUTH_MODES = [AuthMode.REQUIRE, AuthMode.FORWARD, AuthMode.UNAUTHENTICATED];

/** Authentication: the mode, the token cookie and the required claims. */
export function AuthFieldset({ draft, onChange, errors }: SectionProps & { errors: FormErrors }) {
  const modeId = useId();
  const modeErrors = errorsAt(errors, "rule.auth.mode");
  const set = <K extends keyof RuleDraft>(key: K, value: RuleDraft[K]) =>
    onChange({ ...draft, [key]: value });
  return (
    <fieldset className="sy-rules-fieldset">
      <legend>Authentication</legend>
      <div className="field">
        <label htmlFor={modeId}>Mode</label>
        <select
          id={modeId}
          name="rule.auth.mode"
          value={draft.authMode}
          aria-invalid={modeErrors.length > 0 || undefined}
          aria-describedby={`${modeId}-hint${modeErrors.length > 0 ? ` ${modeId}-error` : ""}`}
          onChange={(e) => set("authMode", Number(e.target.value) as AuthMode)}
        >
          {AUTH_MODES.map((mode) => (
            <option key={mode} value={mode}>
              {AUTH_MODE_LABELS[mode]}
            </option>
          ))}
        </select>
        <p id={`${modeId}-hint`} className="sy-rules-hint">
          Require: a verified bearer JWT or service token, not forwarded upstream. Forward: the
          same, passed on upstream. Open: anyone may call the target.
        </p>
        <FieldError id={`${modeId}-error`} error={modeErrors} />
      </div>
      <TextField
        label="Token cookie name"
        name="rule.auth.cookie_name"
        value={draft.cookieName}
        onChange={(v) => set("cookieName", v)}
        error={errorsAt(errors, "rule.auth.cookie_name")}
        hint="Read the bearer JWT from this cookie when there is no Authorization header; the cookie is never forwarded. Empty: none."
      />
      <ClaimRows rows={draft.claims} onChange={(rows) => set("claims", rows)} errors={errors} />
    </fieldset>
  );
}
