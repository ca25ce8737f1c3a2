import { RateLimitKey } from "@switchyard/api";
import { CheckField, SelectField, TextField } from "../components/Field.js";
import { errorsAt, type FormErrors } from "./form-errors.js";
import type { SectionProps } from "./form-section.js";
import { RATE_LIMIT_KEY_LABELS } from "./rule-diff.js";
import type { RuleDraft } from "./rule-draft.js";

const RATE_LIMIT_KEYS = [RateLimitKey.IP, RateLimitKey.SUBJECT, RateLimitKey.HEADER];

/** The rule's own rate limit, or the project's when switched off. */
export function RateLimitFieldset({
  draft,
  onChange,
  errors,
}: SectionProps & { errors: FormErrors }) {
  const set = <K extends keyof RuleDraft>(key: K, value: RuleDraft[K]) =>
    onChange({ ...draft, [key]: value });
  const at = (field: string) => errorsAt(errors, `rule.rate_limit.${field}`);
  return (
    <fieldset className="sy-rules-fieldset">
      <legend>Rate limit</legend>
      <CheckField
        label="Own rate limit"
        name="rule.rate_limit"
        checked={draft.rateLimitOn}
        onChange={(v) => set("rateLimitOn", v)}
        error={errorsAt(errors, "rule.rate_limit")}
        hint="Off: the project's rate limit applies (or the fleet-wide default)."
      />
      {draft.rateLimitOn && (
        <>
          <TextField
            label="Requests per window"
            name="rule.rate_limit.limit"
            type="number"
            min={1}
            value={draft.limit}
            onChange={(v) => set("limit", v)}
            error={at("limit")}
            hint="At least 1."
          />
          <TextField
            label="Window (ms)"
            name="rule.rate_limit.window_ms"
            type="number"
            min={1000}
            max={86400000}
            value={draft.windowMs}
            onChange={(v) => set("windowMs", v)}
            error={at("window_ms")}
            hint="1000 to 86400000."
          />
          <SelectField
            label="Count requests by"
            name="rule.rate_limit.key"
            value={draft.rateLimitKey}
            onChange={(key) => set("rateLimitKey", Number(key) as RateLimitKey)}
            error={at("key")}
          >
            {RATE_LIMIT_KEYS.map((key) => (
              <option key={key} value={key}>
                {RATE_LIMIT_KEY_LABELS[key]}
              </option>
            ))}
          </SelectField>
          {draft.rateLimitKey === RateLimitKey.HEADER && (
            <TextField
              label="Header name"
              name="rule.rate_limit.header_name"
              value={draft.rateLimitHeader}
              onChange={(v) => set("rateLimitHeader", v)}
              error={at("header_name")}
              required
            />
          )}
          <CheckField
            label="Skip successful requests"
            name="rule.rate_limit.skip_successful"
            checked={draft.skipSuccessful}
            onChange={(v) => set("skipSuccessful", v)}
            error={at("skip_successful")}
            hint="Refund a request the upstream answered below 400."
          />
          <CheckField
            label="Skip failed requests"
            name="rule.rate_limit.skip_failed"
            checked={draft.skipFailed}
            onChange={(v) => set("skipFailed", v)}
            error={at("skip_failed")}
            hint="Refund a request the upstream answered 400 or above, or that failed."
          />
        </>
      )}
    </fieldset>
  );
}
