import { useMutation } from "@connectrpc/connect-query";
import {
  AuthMode,
  ConfigService,
  ExplainOutcome,
  type ExplainPolicy,
  type ExplainResponse,
  PassOverReason,
  type Rule,
} from "@switchyard/api";
import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import { fieldErrors, unshownErrors } from "../api/errors.js";
import { FieldError, FormErrors, SelectField, TextField } from "../components/Field.js";
import { describeRateLimit } from "../components/RateLimitFields.js";
import { enumLabel, formatDuration } from "../format.js";

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/**
 * The request tester: what a worker would do with a request (ConfigService.Explain) at the
 * store's current revision — the rule that answers, the rules passed over and why, the
 * policy, and the upstream URL.
 */
export function TesterPage() {
  const explain = useMutation(ConfigService.method.explain);
  const [host, setHost] = useState("");
  const [method, setMethod] = useState("GET");
  const [path, setPath] = useState("/");
  const [headers, setHeaders] = useState("");
  const errors = fieldErrors(explain.error);
  const headerErrors = Object.entries(errors)
    .filter(([field]) => field === "headers" || field.startsWith("headers["))
    .map(([field, message]) => `${field}: ${message}`);

  function submit(event: FormEvent) {
    event.preventDefault();
    explain.mutate({ host, method, path, headers: parseHeaders(headers) });
  }

  return (
    <>
      <h1>Request tester</h1>
      <form className="card" aria-label="Request to explain" onSubmit={submit}>
        <FormErrors
          messages={unshownErrors(errors, ["host", "method", "path"]).filter(
            (m) => !headerErrors.includes(m),
          )}
        />
        <div className="row">
          <SelectField
            id="tester-method"
            label="Method"
            value={method}
            onChange={setMethod}
            error={errors["method"]}
          >
            {METHODS.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </SelectField>
          <TextField
            id="tester-host"
            label="Host"
            value={host}
            onChange={setHost}
            error={errors["host"]}
            placeholder="app.example.com"
          />
          <TextField
            id="tester-path"
            label="Path"
            value={path}
            onChange={setPath}
            error={errors["path"]}
            placeholder="/api/users?x=1"
          />
        </div>
        <div className="field">
          <label htmlFor="tester-headers">Headers (one per line, Name: value)</label>
          <textarea
            id="tester-headers"
            rows={3}
            cols={60}
            value={headers}
            onChange={(e) => setHeaders(e.target.value)}
            aria-invalid={headerErrors.length > 0 ? true : undefined}
            aria-describedby={headerErrors.length > 0 ? "tester-headers-error" : undefined}
          />
          <FieldError id="tester-headers-error" error={headerErrors.join("; ") || undefined} />
        </div>
        <div className="actions">
          <button type="submit" disabled={explain.isPending}>
            Explain
          </button>
        </div>
      </form>
      {explain.data && <Explanation result={explain.data} />}
    </>
  );
}

/** `Name: value` lines as headers; a line without a colon is a name with an empty value. */
function parseHeaders(text: string): { name: string; value: string }[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const colon = line.indexOf(":");
      if (colon < 0) return { name: line.trim(), value: "" };
      return { name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() };
    });
}

function Explanation({ result }: { result: ExplainResponse }) {
  const forwarded = result.outcome === ExplainOutcome.FORWARD;
  return (
    <section aria-labelledby="explanation-heading" data-testid="explanation">
      <h2 id="explanation-heading">Result</h2>
      <dl className="facts">
        <dt>Outcome</dt>
        <dd data-testid="explain-outcome" className={forwarded ? "ok" : "bad"}>
          {forwarded ? "forwarded" : `refused with ${result.status}`}
        </dd>
        {!forwarded && (
          <>
            <dt>Problem</dt>
            <dd>
              <code>{result.problemType}</code>
            </dd>
          </>
        )}
        {result.detail && (
          <>
            <dt>Why</dt>
            <dd>{result.detail}</dd>
          </>
        )}
        <dt>Upstream URL</dt>
        <dd data-testid="explain-upstream">
          {result.upstreamUrl ? (
            <code>{result.upstreamUrl}</code>
          ) : (
            <span className="muted">none</span>
          )}
        </dd>
        <dt>Request</dt>
        <dd>
          <code>
            {result.method} {result.host}
            {result.path}
            {result.query ? `?${result.query}` : ""}
          </code>
        </dd>
        <dt>Domain</dt>
        <dd>{result.domain?.host ?? <span className="muted">no domain covers this host</span>}</dd>
        <dt>Project</dt>
        <dd>
          {result.project ? (
            <Link to={`/projects/${result.project.id}`}>{result.project.name}</Link>
          ) : (
            <span className="muted">none</span>
          )}
        </dd>
        <dt>Alias</dt>
        <dd>{result.alias?.name ?? <span className="muted">none</span>}</dd>
        <dt>Rule sets searched</dt>
        <dd>{result.ruleSets.join(", ") || <span className="muted">none</span>}</dd>
        <dt>Revision</dt>
        <dd>{result.revision.toString()}</dd>
      </dl>
      <h3>Rule that answers</h3>
      {result.rule ? (
        <RuleSummary rule={result.rule} testId="explain-rule" />
      ) : (
        <p className="muted">No rule answers.</p>
      )}
      {result.policy && <PolicyFacts policy={result.policy} />}
      <PassedOver result={result} />
    </section>
  );
}

function RuleSummary({ rule, testId }: { rule: Rule; testId: string }) {
  return (
    <dl className="facts" data-testid={testId}>
      <dt>Path pattern</dt>
      <dd>
        <code>{rule.pathPattern}</code>
      </dd>
      <dt>Target</dt>
      <dd>
        <code>{rule.targetUrl}</code>
      </dd>
      {rule.description && (
        <>
          <dt>Description</dt>
          <dd>{rule.description}</dd>
        </>
      )}
      <dt>Id</dt>
      <dd>
        <code>{rule.id}</code>
      </dd>
    </dl>
  );
}

const REASONS: Record<PassOverReason, string> = {
  [PassOverReason.UNSPECIFIED]: "unknown",
  [PassOverReason.DISABLED]: "disabled",
  [PassOverReason.INVALID_PATTERN]: "invalid pattern",
  [PassOverReason.NO_MATCH]: "pattern does not match",
  [PassOverReason.SHADOWED]: "an earlier rule answers",
  [PassOverReason.REPLACED]: "replaced by the alias's own rules",
};

function PassedOver({ result }: { result: ExplainResponse }) {
  return (
    <>
      <h3>Rules passed over</h3>
      {result.passedOver.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <table aria-label="Rules passed over" data-testid="explain-passed-over">
          <thead>
            <tr>
              <th scope="col">Path pattern</th>
              <th scope="col">Rule set</th>
              <th scope="col">Reason</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {result.passedOver.map((p, i) => (
              <tr key={p.rule?.id ?? i}>
                <td>
                  <code>{p.rule?.pathPattern}</code>
                </td>
                <td>{p.ruleSet}</td>
                <td>{REASONS[p.reason] ?? String(p.reason)}</td>
                <td>{p.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function PolicyFacts({ policy }: { policy: ExplainPolicy }) {
  const list = (items: readonly string[], empty: string) =>
    items.length > 0 ? items.join(", ") : <span className="muted">{empty}</span>;
  return (
    <>
      <h3>Policy</h3>
      <dl className="facts" data-testid="explain-policy">
        <dt>Authentication</dt>
        <dd>
          {enumLabel(AuthMode, policy.authMode, "")}
          {policy.authCookieName && ` (cookie ${policy.authCookieName})`}
        </dd>
        {policy.requireClaims.length > 0 && (
          <>
            <dt>Required claims</dt>
            <dd>
              {policy.requireClaims.map((c) => `${c.name} ∈ {${c.values.join(", ")}}`).join("; ")}
            </dd>
          </>
        )}
        <dt>Rate limit</dt>
        <dd>
          {describeRateLimit(policy.rateLimit)}
          {policy.rateLimitSource && ` (from the ${policy.rateLimitSource})`}
        </dd>
        <dt>Methods</dt>
        <dd>{list(policy.allowedMethods, "every method")}</dd>
        <dt>Path</dt>
        <dd>
          {policy.pathMode}
          {policy.stripPrefix ? ", prefix stripped" : ""}
        </dd>
        <dt>Host header</dt>
        <dd>{policy.preserveHost ? "preserved" : "the target's"}</dd>
        <dt>Timeout</dt>
        <dd>{formatDuration(policy.timeoutMs)}</dd>
        <dt>WebSocket</dt>
        <dd>{policy.websocket ? "yes" : "no"}</dd>
        <dt>Headers added</dt>
        <dd>
          {list(
            policy.addHeaders.map((h) => `${h.name}: ${h.value}`),
            "none",
          )}
        </dd>
        <dt>Headers stripped</dt>
        <dd>{list(policy.stripHeaders, "none")}</dd>
        <dt>Headers allowed</dt>
        <dd>{list(policy.allowedHeaders, "the default allow list")}</dd>
        <dt>Forwarded headers</dt>
        <dd>
          {list(
            policy.forwardedHeaders.map((h) => `${h.name}: ${h.value}`),
            "none",
          )}
        </dd>
        <dt>Dropped headers</dt>
        <dd>{list(policy.droppedHeaders, "none")}</dd>
        <dt>Egress proxy</dt>
        <dd>{policy.egressProxyUrl || <span className="muted">the workers' environment</span>}</dd>
      </dl>
    </>
  );
}
