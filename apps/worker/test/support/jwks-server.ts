import { type CertificateAndKey, startUpstream, type Upstream } from "@switchyard/testkit";
import {
  exportJWK,
  type GenerateKeyPairResult,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from "jose";

/** The issuer and audience test tokens are made for. */
export const ISSUER = "https://idp.test/";
export const AUDIENCE = "switchyard-test";

/** A signing key pair with its public JWK (kid and alg set, as IdPs publish them). */
export interface SigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: GenerateKeyPairResult["privateKey"];
  readonly publicKey: GenerateKeyPairResult["publicKey"];
  readonly jwk: JWK;
}

export async function signingKey(kid: string, alg = "RS256"): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, alg, privateKey, publicKey, jwk };
}

/** A token signed by `key`: `sub` alice, the test issuer and audience, valid 5 minutes. */
export function tokenFor(
  key: SigningKey,
  claims: JWTPayload = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    sub: "alice",
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now,
    exp: now + 300,
    ...claims,
  })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT", ...header })
    .sign(key.privateKey);
}

/** A JWKS endpoint whose keys can be rotated and which can be taken down (503). */
export interface JwksServer {
  readonly upstream: Upstream;
  /** The JWKS URL. */
  readonly url: string;
  /** Keys served from now on. */
  keys: JWK[];
  /** While true the endpoint answers 503. */
  down: boolean;
  /** How many times the JWKS was fetched. */
  fetches: number;
  close(): Promise<void>;
}

export async function startJwksServer(keys: JWK[], tls?: CertificateAndKey): Promise<JwksServer> {
  const state = { keys, down: false, fetches: 0 };
  const upstream = await startUpstream({
    ...(tls && { tls }),
    handler: (_req, res) => {
      state.fetches++;
      if (state.down) {
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/jwk-set+json" });
      res.end(JSON.stringify({ keys: state.keys }));
    },
  });
  return Object.assign(state, {
    upstream,
    url: new URL("/.well-known/jwks.json", upstream.url).href,
    close: () => upstream.close(),
  });
}

/** base64url of a JSON value, for tokens built by hand. */
export function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}
