import { CONSOLE_HEADER } from "./transport.js";

/** A role as the session endpoint names it. */
export type RoleName = "ADMIN" | "EDITOR" | "VIEWER";

/** Who the session belongs to, as `GET /console/session` answers. */
export interface SessionInfo {
  actor: string;
  role: RoleName;
  /** The projects a scoped token may see; empty means every project. */
  projectIds: string[];
}

const SESSION_URL = "/console/session";

/** The current session, or undefined when not signed in (401). */
export async function fetchSession(): Promise<SessionInfo | undefined> {
  const response = await fetch(SESSION_URL, { credentials: "same-origin" });
  if (response.status === 401) return undefined;
  if (!response.ok) throw new Error(await errorText(response));
  return parseSession(await response.json());
}

/** Signs in with an API token; throws an Error with the server's message when refused. */
export async function createSession(token: string): Promise<SessionInfo> {
  const response = await fetch(SESSION_URL, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", [CONSOLE_HEADER]: "1" },
    body: JSON.stringify({ token }),
  });
  if (!response.ok) throw new Error(await errorText(response));
  return parseSession(await response.json());
}

/** Ends the session; the server clears the cookie. */
export async function deleteSession(): Promise<void> {
  const response = await fetch(SESSION_URL, {
    method: "DELETE",
    credentials: "same-origin",
    headers: { [CONSOLE_HEADER]: "1" },
  });
  if (!response.ok && response.status !== 401) throw new Error(await errorText(response));
}

function parseSession(body: unknown): SessionInfo {
  const b = body as Partial<SessionInfo> | null;
  if (b === null || typeof b.actor !== "string" || !isRole(b.role)) {
    throw new Error("the session endpoint answered an unexpected shape");
  }
  return {
    actor: b.actor,
    role: b.role,
    projectIds: Array.isArray(b.projectIds) ? b.projectIds : [],
  };
}

function isRole(value: unknown): value is RoleName {
  return value === "ADMIN" || value === "EDITOR" || value === "VIEWER";
}

/** The `error` of a JSON error body, else the status line. */
async function errorText(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: unknown };
    if (typeof body.error === "string") return body.error;
  } catch {
    // Not JSON: fall back to the status.
  }
  return `${response.status} ${response.statusText}`;
}
