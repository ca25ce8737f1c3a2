import { Code, ConnectError } from "@connectrpc/connect";
import type { ConnectNodeAdapterOptions } from "@connectrpc/connect-node";
import { Role } from "@switchyard/api";
import type { Logger } from "pino";
import type { Authenticator } from "../auth/authenticator.js";
import type { Principal } from "../auth/principal.js";
import type { ConsoleAsset, ConsoleAssets } from "./console-assets.js";
import {
  type ConsoleSessions,
  clearedSessionCookie,
  consoleRequestProblem,
  cookieValue,
  SESSION_COOKIE,
  sessionCookie,
} from "./console-session.js";

/** What connect-node hands a fallback: HTTP/1.1 or HTTP/2 compatibility objects. */
export type Fallback = NonNullable<ConnectNodeAdapterOptions["fallback"]>;
type Request = Parameters<Fallback>[0];
type Response = Parameters<Fallback>[1];

/** Options of {@link createConsoleHandler}. */
export interface ConsoleHandlerOptions {
  /** The built console; empty when it was not built. */
  assets: ConsoleAssets;
  sessions: ConsoleSessions;
  authenticate: Authenticator;
  logger: Pick<Logger, "info" | "warn" | "error">;
}

/** Where the console signs in, tells who is signed in, and signs out. */
export const SESSION_PATH = "/console/session";

/** A sign-in body holds one token; anything longer is not one. */
const MAX_SIGN_IN_BYTES = 8 * 1024;

/**
 * Content-Security-Policy of every console response: only this origin's scripts, styles,
 * images and API; no inline script or style, no plugins, no framing, no `<base>`.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join("; ");

const SECURITY_HEADERS = {
  "content-security-policy": CONSOLE_CSP,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

/**
 * Serves the web console on the API's port, for every path the Connect router does not
 * claim: the session endpoints at {@link SESSION_PATH}, the built files, and `index.html`
 * for any other page a browser asks for (the console routes by path).
 */
export function createConsoleHandler(options: ConsoleHandlerOptions): Fallback {
  const { assets, sessions, authenticate, logger } = options;
  const index = assets.get("/index.html");

  async function signIn(req: Request, res: Response) {
    const problem = consoleRequestProblem((name) => header(req, name));
    if (problem) return json(res, 403, { error: problem });
    if (!/^application\/json\b/i.test(header(req, "content-type") ?? "")) {
      return json(res, 415, { error: 'send the token as JSON: {"token": "..."}' });
    }
    const body = await readBody(req, MAX_SIGN_IN_BYTES);
    if (body === undefined) return json(res, 413, { error: "the sign-in body is too large" });
    const token = tokenOf(body);
    if (token === undefined) return json(res, 400, { error: 'expected {"token": "<API token>"}' });
    const principal = await authenticate(token);
    const session = sessions.seal(token);
    logger.info({ actor: principal.actor }, "console sign-in");
    res.setHeader("set-cookie", sessionCookie(session.value, session.expires, isHttps(req)));
    json(res, 200, whoAmI(principal, session.expires));
  }

  async function currentSession(req: Request, res: Response) {
    const secret = sessionSecret(req);
    if (secret === undefined) return json(res, 401, { error: "not signed in" });
    json(res, 200, whoAmI(await authenticate(secret.token), secret.expires));
  }

  function signOut(req: Request, res: Response) {
    const problem = consoleRequestProblem((name) => header(req, name));
    if (problem) return json(res, 403, { error: problem });
    res.setHeader("set-cookie", clearedSessionCookie(isHttps(req)));
    res.writeHead(204, SECURITY_HEADERS);
    res.end();
  }

  function sessionSecret(req: Request) {
    const value = cookieValue(header(req, "cookie"), SESSION_COOKIE);
    return value === undefined ? undefined : sessions.open(value);
  }

  async function session(req: Request, res: Response) {
    try {
      if (req.method === "POST") return await signIn(req, res);
      if (req.method === "GET") return await currentSession(req, res);
      if (req.method === "DELETE") return signOut(req, res);
      res.setHeader("allow", "GET, POST, DELETE");
      json(res, 405, { error: `${req.method} is not allowed on ${SESSION_PATH}` });
    } catch (error) {
      const status = error instanceof ConnectError ? statusOf(error.code) : 500;
      if (status === 500) logger.error({ err: error }, "console session failed");
      const message = error instanceof ConnectError ? error.rawMessage : "internal error";
      json(res, status, { error: message });
    }
  }

  async function file(req: Request, res: Response) {
    const pathname = new URL(req.url ?? "/", "http://console.invalid").pathname;
    const found = assets.get(pathname === "/" ? "/index.html" : pathname);
    if (found) return send(req, res, found);
    if (index && wantsPage(req, pathname)) return send(req, res, index);
    if (assets.size === 0 && pathname === "/") {
      return text(res, 404, "the web console is not built: run `pnpm build` (apps/console)\n");
    }
    text(res, 404, "not found\n");
  }

  const handler: Fallback = (req, res) => {
    const pathname = (req.url ?? "/").split("?")[0];
    if (pathname === SESSION_PATH) {
      void session(req, res);
    } else if (req.method === "GET" || req.method === "HEAD") {
      file(req, res).catch((error: unknown) => {
        logger.error({ err: error }, "console file failed");
        if (!res.headersSent) text(res, 500, "internal error\n");
      });
    } else {
      text(res, 404, "not found\n");
    }
  };
  return handler;
}

/** What the console shows of the signed-in caller. */
function whoAmI(principal: Principal, expires: Date) {
  return {
    actor: principal.actor,
    role: Role[principal.role] ?? "UNSPECIFIED",
    projectIds: principal.projectIds,
    expiresAt: expires.toISOString(),
  };
}

/** A page a browser navigates to: no file extension, HTML accepted, not under /assets/. */
function wantsPage(req: Request, pathname: string): boolean {
  return (
    !pathname.startsWith("/assets/") &&
    !/\.[A-Za-z0-9]+$/.test(pathname) &&
    /\btext\/html\b/.test(header(req, "accept") ?? "")
  );
}

async function send(req: Request, res: Response, asset: ConsoleAsset) {
  const headers: Record<string, string> = {
    ...SECURITY_HEADERS,
    "content-type": asset.contentType,
    etag: asset.etag,
    "cache-control": asset.immutable ? "public, max-age=31536000, immutable" : "no-cache",
    vary: "Accept-Encoding",
  };
  if (header(req, "if-none-match") === asset.etag) {
    res.writeHead(304, headers);
    return res.end();
  }
  const encoding = asset.compressed && preferredEncoding(header(req, "accept-encoding") ?? "");
  const body = encoding ? await asset.compressed!(encoding) : asset.identity;
  if (encoding) headers["content-encoding"] = encoding;
  headers["content-length"] = String(body.length);
  res.writeHead(200, headers);
  if (req.method === "HEAD") res.end();
  else res.end(body);
}

function preferredEncoding(accepted: string): "br" | "gzip" | undefined {
  if (/\bbr\b/.test(accepted)) return "br";
  if (/\bgzip\b/.test(accepted)) return "gzip";
  return undefined;
}

function json(res: Response, status: number, value: unknown) {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    "content-type": "application/json",
    "cache-control": "no-store",
    "content-length": String(Buffer.byteLength(body)),
  });
  res.end(body);
}

function text(res: Response, status: number, body: string) {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    "content-type": "text/plain; charset=utf-8",
    "content-length": String(Buffer.byteLength(body)),
  });
  res.end(body);
}

function header(req: Request, name: string): string | null {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : (value ?? null);
}

/** TLS to us, or to the load balancer in front that says so. */
function isHttps(req: Request): boolean {
  return (
    ("encrypted" in req.socket && req.socket.encrypted === true) ||
    header(req, "x-forwarded-proto") === "https"
  );
}

/** The body as text, or undefined once it passes `limit` bytes. */
async function readBody(req: Request, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function tokenOf(body: string): string | undefined {
  try {
    const value: unknown = JSON.parse(body);
    const token = (value as { token?: unknown } | null)?.token;
    return typeof token === "string" && token.trim() !== "" ? token.trim() : undefined;
  } catch {
    return undefined;
  }
}

function statusOf(code: Code): number {
  if (code === Code.Unauthenticated) return 401;
  if (code === Code.PermissionDenied) return 403;
  if (code === Code.Unavailable) return 503;
  return 500;
}
