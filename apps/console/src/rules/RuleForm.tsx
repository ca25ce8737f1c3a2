import { CheckField, FieldLookProvider, TextField } from "../components/Field.js";
import { AuthFieldset } from "./AuthFieldset.js";
import { errorsAt, type FormErrors } from "./form-errors.js";
import { HeaderRows } from "./HeaderRows.js";
import { MethodsFieldset } from "./MethodsFieldset.js";
import { RateLimitFieldset } from "./RateLimitFieldset.js";
import type { RuleDraft } from "./rule-draft.js";

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
    <FieldLookProvider value="rules">
      <fieldset className="sy-rules-fieldset">
        <legend>Match and forward</legend>
        <TextField
          label="Path pattern"
          name="rule.path_pattern"
          value={draft.pathPattern}
          onChange={(v) => set("pathPattern", v)}
          error={at("rule.path_pattern")}
          hint={<PatternHint />}
          required
          placeholder="/api/*"
        />
        <TextField
          label="Target URL"
          name="rule.target_url"
          type="url"
          value={draft.targetUrl}
          onChange={(v) => set("targetUrl", v)}
          error={at("rule.target_url")}
          hint="An absolute https URL (http only where the operator allows it). Its path may use the pattern's :name captures."
          required
          placeholder="https://api.example.com"
        />
        <CheckField
          label="Strip prefix"
          name="rule.strip_prefix"
          checked={draft.stripPrefix}
          onChange={(v) => set("stripPrefix", v)}
          error={at("rule.strip_prefix")}
          hint={
            <>
              For a <code>/*</code> pattern, drop the matched prefix before appending the rest of
              the path to the target. Default on.
            </>
          }
        />
        <TextField
          label="Timeout (ms)"
          name="rule.timeout_ms"
          type="number"
          min={100}
          max={60000}
          value={draft.timeoutMs}
          onChange={(v) => set("timeoutMs", v)}
          error={at("rule.timeout_ms")}
          hint="Connecting plus waiting for the response headers; 100 to 60000. Empty: 30000."
        />
        <CheckField
          label="Preserve host"
          name="rule.preserve_host"
          checked={draft.preserveHost}
          onChange={(v) => set("preserveHost", v)}
          error={at("rule.preserve_host")}
          hint="Send the client's Host header upstream instead of the target's."
        />
        <CheckField
          label="Enabled"
          name="rule.enabled"
          checked={draft.enabled}
          onChange={(v) => set("enabled", v)}
          error={at("rule.enabled")}
          hint="A disabled rule never matches."
        />
        <CheckField
          label="WebSocket"
          name="rule.websocket"
          checked={draft.websocket}
          onChange={(v) => set("websocket", v)}
          error={at("rule.websocket")}
          hint="Proxy Upgrade: websocket requests (allowed methods must then include GET)."
        />
        <TextField
          label="Egress proxy URL"
          name="rule.egress_proxy_url"
          type="url"
          value={draft.egressProxyUrl}
          onChange={(v) => set("egressProxyUrl", v)}
          error={at("rule.egress_proxy_url")}
          hint="Tunnel upstream connections through this http(s) proxy (CONNECT). Empty: direct."
        />
        <TextField
          label="Description"
          name="rule.description"
          multiline
          maxLength={1024}
          value={draft.description}
          onChange={(v) => set("description", v)}
          error={at("rule.description")}
          hint="Free text, up to 1024 characters."
        />
      </fieldset>

      <MethodsFieldset draft={draft} onChange={onChange} errors={below("rule.allowed_methods")} />

      <fieldset className="sy-rules-fieldset">
        <legend>Headers</legend>
        <TextField
          label="Allowed headers"
          name="rule.allowed_headers"
          multiline
          value={draft.allowedHeaders}
          onChange={(v) => set("allowedHeaders", v)}
          error={below("rule.allowed_headers")}
          hint="Extra header names forwarded in both directions beyond the safe list; comma- or line-separated."
        />
        <HeaderRows
          rows={draft.addHeaders}
          onChange={(rows) => set("addHeaders", rows)}
          errors={errors}
        />
        <TextField
          label="Headers to strip"
          name="rule.header_config.strip"
          multiline
          value={draft.stripHeaders}
          onChange={(v) => set("stripHeaders", v)}
          error={below("rule.header_config.strip")}
          hint="Header names removed from the upstream request; comma- or line-separated."
        />
      </fieldset>

      <AuthFieldset draft={draft} onChange={onChange} errors={errors} />
      <RateLimitFieldset draft={draft} onChange={onChange} errors={errors} />
    </FieldLookProvider>
  );
}
