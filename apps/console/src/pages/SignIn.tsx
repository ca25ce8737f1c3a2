import { type FormEvent, useState } from "react";
import { createSession, type SessionInfo } from "../api/session-api.js";

/**
 * The sign-in screen: an API token in, a session cookie out. The token is only held by the
 * input while typing; it is cleared on submit and never stored by the page.
 */
export function SignIn({
  notice,
  onSignedIn,
}: {
  notice?: string;
  onSignedIn: (info: SessionInfo) => void;
}) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const sent = token;
    setToken("");
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await createSession(sent));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  }

  return (
    <main className="centered">
      <h1>Switchyard console</h1>
      <form className="card sign-in" onSubmit={submit} aria-labelledby="sign-in-heading">
        <h2 id="sign-in-heading">Sign in</h2>
        {notice && <p className="notice">{notice}</p>}
        <label htmlFor="sign-in-token">API token</label>
        <input
          id="sign-in-token"
          name="token"
          type="password"
          autoComplete="off"
          required
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-invalid={error !== undefined}
          aria-describedby={error ? "sign-in-error" : undefined}
        />
        {error && (
          <p id="sign-in-error" className="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
