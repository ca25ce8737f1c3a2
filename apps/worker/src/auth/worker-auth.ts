import { readFile } from "node:fs/promises";
import { rootCertificates } from "node:tls";
import { Agent } from "undici";
import type { Logger } from "../observe/logger.js";
import type { AuthSettings } from "./auth-settings.js";
import { type Authenticator, createAuthenticator } from "./authenticator.js";
import { JwksCache } from "./jwks-cache.js";
import { JwtVerifier } from "./jwt-verifier.js";
import { parseServiceTokens, type ServiceTokenEntry, ServiceTokens } from "./service-tokens.js";

/** A worker's authenticator and what it holds open (the JWKS refresh, its connections). */
export interface WorkerAuth {
  readonly authenticate: Authenticator;
  close(): Promise<void>;
}

/** What `startWorkerAuth` needs beyond the settings. */
export interface WorkerAuthOptions {
  readonly logger: Logger;
  /** Extra PEM CA bundle (SWITCHYARD_UPSTREAM_CA_FILE), trusted for the JWKS fetch too. */
  readonly ca: string | undefined;
  /** Least time between JWKS fetches an unknown `kid` triggers. Default 30 s. */
  readonly jwksCooldownMs?: number | undefined;
  /** Interval of the timed JWKS refresh. Default 5 min. */
  readonly jwksRefreshMs?: number | undefined;
}

/**
 * Builds the authenticator from the settings: reads a service-token file (rejecting with one
 * line naming SWITCHYARD_SERVICE_TOKENS), and starts fetching the JWKS without waiting for it,
 * so an IdP that is down does not keep the worker from serving open rules and service tokens.
 *
 * The JWKS URL is not SSRF-checked: like HTTP_PROXY it is the operator's configuration, not
 * a rule's target, and IdPs often live on private addresses. It goes through its own undici
 * agent, directly (not through HTTP(S)_PROXY), trusting the bundled roots and the CA file.
 */
export async function startWorkerAuth(
  settings: AuthSettings,
  options: WorkerAuthOptions,
): Promise<WorkerAuth> {
  const tokens = await serviceTokenEntries(settings.serviceTokens);
  const { jwksUrl, issuer } = settings;
  if (jwksUrl === undefined || issuer === undefined) {
    const authenticate = createAuthenticator({
      serviceTokens: new ServiceTokens(tokens),
      jwt: undefined,
    });
    return { authenticate, close: () => Promise.resolve() };
  }
  const agent = new Agent({
    connect: { ca: options.ca === undefined ? undefined : [...rootCertificates, options.ca] },
  });
  const jwks = new JwksCache({
    url: jwksUrl,
    dispatcher: agent,
    logger: options.logger,
    cooldownMs: options.jwksCooldownMs,
    refreshMs: options.jwksRefreshMs,
  });
  jwks.start();
  const jwt = new JwtVerifier(jwks, {
    issuer,
    audience: settings.audience,
    clockToleranceS: settings.clockToleranceS,
  });
  return {
    authenticate: createAuthenticator({ serviceTokens: new ServiceTokens(tokens), jwt }),
    close: async () => {
      jwks.close();
      await agent.close();
    },
  };
}

async function serviceTokenEntries(
  setting: AuthSettings["serviceTokens"],
): Promise<readonly ServiceTokenEntry[]> {
  if (setting === undefined) return [];
  if ("entries" in setting) return setting.entries;
  let text: string;
  try {
    text = await readFile(setting.file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(`SWITCHYARD_SERVICE_TOKENS: cannot read ${setting.file} (${reason})`);
  }
  const parsed = parseServiceTokens(text);
  if (!parsed.ok) {
    throw new Error(`SWITCHYARD_SERVICE_TOKENS: ${setting.file}: ${parsed.problems.join("; ")}`);
  }
  return parsed.entries;
}
