import { AuthMode, RateLimitKey } from "@switchyard/api";
import { useId } from "react";
import { ClaimRows } from "./ClaimRows.js";
import { CheckField, FieldMessages, TextField } from "./FormField.js";
import { errorsAt, type FormErrors } from "./form-errors.js";
import { HeaderRows } from "./HeaderRows.js";
import { AUTH_MODE_LABELS, RATE_LIMIT_KEY_LABELS } from "./rule-diff.js";
import { type RuleDraft, STANDARD_METHODS } from "./rule-draft.js";

interface RuleFormProps {
  draft: RuleDraft;
  onChange: (draft: RuleDraft) => void;
  errors: FormErrors;
}

/** What each kind of path pattern matches (DESIGN.md §4.3, as the API parses them). */
function PatternHint() {
  return (
    <>
      <p>Rules are tried from the top of the list; the first that matches forwards the request.</p>
      <ul>
        <li>
          <code>/graphql</code> exact: only that path.
        </li>
        <li>
          <code>/api/*</code> prefix: <code>/api</code>, <code>/api/</code> and everything below,
          never <code>/apix</code>.
        </li>
        <li>
          <code>*.json</code> suffix: any path ending in <code>.json</code>, at any depth.
        </li>
        <li>
          <code>/users/:id/profile</code> a <code>:name</code> captures one non-empty segment; the
          target URL may use it (<code>https://users.example.com/v2/:id</code>).
        </li>
        <li>
          <code>/api/*/health</code> a <code>*</code> between slashes is exactly one non-empty
          segment.
        </li>
      </ul>
    </>
  );
}

/** Every editable field of a rule, grouped as an operator thinks of them. */
export function RuleForm({ draft, onChange, errors }: RuleFormProps) {
  const set = <K extends keyof RuleDraft>(key: K, value: RuleDraft[K]) =>
    onChange({ ...draft, [key]: value });
  const at = (path: string) => errorsAt(errors, path);
  const below = (path: string) => errorsAt(errors, path, true);
  return (
    <>
      <fieldset className="sy-rules-fieldset">
        <legend>Match and forward</legend>
        <TextField
          label="Path pattern"
          path="rule.path_pattern"
          value={draft.pathPattern}
          onChange={(v) => set("pathPattern", v)}
          errors={at("rule.path_pattern")}
          hint={<PatternHint />}
          required
          placeholder="/api/*"
        />
        <TextField
          label="Target URL"
          path="rule.target_url"
          type="url"
          value={draft.targetUrl}
          onChange={(v) => set("targetUrl", v)}
          errors={at("rule.target_url")}
          hint="An absolute https URL (http only where the operator allows it). Its path may use the pattern's :name captures."
          required
          placeholder="https://api.example.com"
        />
        <CheckField
          label="Strip prefix"
          path="rule.strip_prefix"
          checked={draft.stripPrefix}
          onChange={(v) => set("stripPrefix", v)}
          errors={at("rule.strip_prefix")}
          hint={
            <>
              For a <code>/*</code> pattern, drop the matched prefix before appending the rest of
              the path to the target. Default on.
            </>
          }
        />
        <TextField
          label="Timeout (ms)"
          path="rule.timeout_ms"
          type="number"
          min={100}
          max={60000}
          value={draft.timeoutMs}
          onChange={(v) => set("timeoutMs", v)}
          errors={at("rule.timeout_ms")}
          hint="Connecting plus waiting for the response headers; 100 to 60000. Empty: 30000."
        />
        <CheckField
          label="Preserve host"
          path="rule.preserve_host"
          checked={draft.preserveHost}
          onChange={(v) => set("preserveHost", v)}
          errors={at("rule.preserve_host")}
          hint="Send the client's Host header upstream instead of the target's."
        />
        <CheckField
          label="Enabled"
          path="rule.enabled"
          checked={draft.enabled}
          onChange={(v) => set("enabled", v)}
          errors={at("rule.enabled")}
          hint="A disabled rule never matches."
        />
        <CheckField
          label="WebSocket"
          path="rule.websocket"
          checked={draft.websocket}
          onChange={(v) => set("websocket", v)}
          errors={at("rule.websocket")}
          hint="Proxy Upgrade: websocket requests (allowed methods must then include GET)."
        />
        <TextField
          label="Egress proxy URL"
          path="rule.egress_proxy_url"
          type="url"
          value={draft.egressProxyUrl}
          onChange={(v) => set("egressProxyUrl", v)}
          errors={at("rule.egress_proxy_url")}
          hint="Tunnel upstream connections through this http(s) proxy (CONNECT). Empty: direct."
        />
        <TextField
          label="Description"
          path="rule.description"
          multiline
          maxLength={1024}
          value={draft.description}
          onChange={(v) => set("description", v)}
          errors={at("rule.description")}
          hint="Free text, up to 1024 characters."
        />
      </fieldset>

      <MethodsFieldset draft={draft} onChange={onChange} errors={below("rule.allowed_methods")} />

      <fieldset className="sy-rules-fieldset">
        <legend>Headers</legend>
        <TextField
          label="Allowed headers"
          path="rule.allowed_headers"
          multiline
          value={draft.allowedHeaders}
          onChange={(v) => set("allowedHeaders", v)}
          errors={below("rule.allowed_headers")}
          hint="Extra header names forwarded in both directions beyond the safe list; comma- or line-separated."
        />
        <HeaderRows
          rows={draft.addHeaders}
          onChange={(rows) => set("addHeaders", rows)}
          errors={errors}
        />
        <TextField
          label="Headers to strip"
          path="rule.header_config.strip"
          multiline
          value={draft.stripHeaders}
          onChange={(v) => set("stripHeaders", v)}
          errors={below("rule.header_config.strip")}
          hint="Header names removed from the upstream request; comma- or line-separated."
        />
      </fieldset>

      <AuthFieldset draft={draft} onChange={onChange} errors={errors} />
      <RateLimitFieldset draft={draft} onChange={onChange} errors={errors} />
    </>
  );
}

interface SectionProps {
  draft: RuleDraft;
  onChange: (draft: RuleDraft) => void;
}

function MethodsFieldset({ draft, onChange, errors }: SectionProps & { errors: string[] }) {
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
        path="rule.allowed_methods.other"
        value={draft.otherMethods}
        onChange={(v) => onChange({ ...draft, otherMethods: v })}
        errors={[]}
        hint="Comma-separated, e.g. PROPFIND, MKCOL."
      />
      <FieldMessages id={errorId} messages={errors} />
    </fieldset>
  );
}

const AUTH_MODES = [AuthMode.REQUIRE, AuthMode.FORWARD, AuthMode.UNAUTHENTICATED];

function AuthFieldset({ draft, onChange, errors }: SectionProps & { errors: FormErrors }) {
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
        <FieldMessages id={`${modeId}-error`} messages={modeErrors} />
      </div>
      <TextField
        label="Token cookie name"
        path="rule.auth.cookie_name"
        value={draft.cookieName}
        onChange={(v) => set("cookieName", v)}
        errors={errorsAt(errors, "rule.auth.cookie_name")}
        hint="Read the bearer JWT from this cookie when there is no Authorization header; the cookie is never forwarded. Empty: none."
      />
      <ClaimRows rows={draft.claims} onChange={(rows) => set("claims", rows)} errors={errors} />
    </fieldset>
  );
}

const RATE_LIMIT_KEYS = [RateLimitKey.IP, RateLimitKey.SUBJECT, RateLimitKey.HEADER];

function RateLimitFieldset({ draft, onChange, errors }: SectionProps & { errors: FormErrors }) {
  const keyId = useId();
  const set = <K extends keyof RuleDraft>(key: K, value: RuleDraft[K]) =>
    onChange({ ...draft, [key]: value });
  const at = (field: string) => errorsAt(errors, `rule.rate_limit.${field}`);
  const keyErrors = at("key");
  return (
    <fieldset className="sy-rules-fieldset">
      <legend>Rate limit</legend>
      <CheckField
        label="Own rate limit"
        path="rule.rate_limit"
        checked={draft.rateLimitOn}
        onChange={(v) => set("rateLimitOn", v)}
        errors={errorsAt(errors, "rule.rate_limit")}
        hint="Off: the project's rate limit applies (or the fleet-wide default)."
      />
      {draft.rateLimitOn && (
        <>
          <TextField
            label="Requests per window"
            path="rule.rate_limit.limit"
            type="number"
            min={1}
            value={draft.limit}
            onChange={(v) => set("limit", v)}
            errors={at("limit")}
            hint="At least 1."
          />
          <TextField
            label="Window (ms)"
            path="rule.rate_limit.window_ms"
            type="number"
            min={1000}
            max={86400000}
            value={draft.windowMs}
            onChange={(v) => set("windowMs", v)}
            errors={at("window_ms")}
            hint="1000 to 86400000."
          />
          <div className="field">
            <label htmlFor={keyId}>Count requests by</label>
            <select
              id={keyId}
              name="rule.rate_limit.key"
              value={draft.rateLimitKey}
              aria-invalid={keyErrors.length > 0 || undefined}
              aria-describedby={keyErrors.length > 0 ? `${keyId}-error` : undefined}
              onChange={(e) => set("rateLimitKey", Number(e.target.value) as RateLimitKey)}
            >
              {RATE_LIMIT_KEYS.map((key) => (
                <option key={key} value={key}>
                  {RATE_LIMIT_KEY_LABELS[key]}
                </option>
              ))}
            </select>
            <FieldMessages id={`${keyId}-error`} messages={keyErrors} />
          </div>
          {draft.rateLimitKey === RateLimitKey.HEADER && (
            <TextField
              label="Header name"
              path="rule.rate_limit.header_name"
              value={draft.rateLimitHeader}
              onChange={(v) => set("rateLimitHeader", v)}
              errors={at("header_name")}
              required
            />
          )}
          <CheckField
            label="Skip successful requests"
            path="rule.rate_limit.skip_successful"
            checked={draft.skipSuccessful}
            onChange={(v) => set("skipSuccessful", v)}
            errors={at("skip_successful")}
            hint="Refund a request the upstream answered below 400."
          />
          <CheckField
            label="Skip failed requests"
            path="rule.rate_limit.skip_failed"
            checked={draft.skipFailed}
            onChange={(v) => set("skipFailed", v)}
            errors={at("skip_failed")}
            hint="Refund a request the upstream answered 400 or above, or that failed."
          />
        </>
      )}
    </fieldset>
  );
}
