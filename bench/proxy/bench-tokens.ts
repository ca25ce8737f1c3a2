/**
 * What the JWT configurations of the proxy benchmark verify: one RS256 key made at start, its
 * JWKS served over http by the orchestrator, and tokens it signs (node:crypto, the JWS compact
 * form: a token is three base64url parts, so no library is needed to make one).
 */
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

/** The `iss` of every benchmark token, and SWITCHYARD_JWT_ISSUER of the worker. */
export const BENCH_ISSUER = "https://idp.bench.test/";
/** The `aud` of every benchmark token, and SWITCHYARD_JWT_AUDIENCE of the worker. */
export const BENCH_AUDIENCE = "switchyard-bench";
const KID = "bench-rs256";

/** A signing key, its JWKS on http://127.0.0.1, and tokens for it. */
export interface BenchIssuer {
  /** `http://127.0.0.1:<port>/.well-known/jwks.json` */
  readonly jwksUrl: string;
  /** A token with `sub` `subject`, valid for a day (longer than any run). */
  token(subject: string): string;
  close(): Promise<void>;
}

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

function signer(privateKey: KeyObject) {
  const header = part({ alg: "RS256", typ: "JWT", kid: KID });
  return (subject: string) => {
    const now = Math.floor(Date.now() / 1000);
    const payload = part({
      sub: subject,
      iss: BENCH_ISSUER,
      aud: BENCH_AUDIENCE,
      iat: now,
      exp: now + 86_400,
    });
    const signature = sign("sha256", Buffer.from(`${header}.${payload}`), privateKey);
    return `${header}.${payload}.${signature.toString("base64url")}`;
  };
}

/** Makes an RSA-2048 key (RS256: what most identity providers sign with) and serves its JWKS. */
export async function startBenchIssuer(): Promise<BenchIssuer> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const body = JSON.stringify({
    keys: [{ ...publicKey.export({ format: "jwk" }), kid: KID, alg: "RS256", use: "sig" }],
  });
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/jwk-set+json" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    token: signer(privateKey),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * A wrk script that sends each request with the next of the tokens in the file named by its
 * first argument, each of wrk's threads (the second argument: how many) cycling through its
 * own share, with the command line's headers. Requests are formatted once, in `init`.
 */
const ROTATING_TOKENS_LUA = `local requests = {}
local count = 0
local next_index = 0
local threads_made = 0

function setup(thread)
  thread:set("id", threads_made)
  threads_made = threads_made + 1
end

function init(args)
  local threads = tonumber(args[2])
  local line_number = 0
  for line in io.lines(args[1]) do
    if line_number % threads == id then
      wrk.headers["Authorization"] = "Bearer " .. line
      count = count + 1
      requests[count] = wrk.format()
    end
    line_number = line_number + 1
  end
end

function request()
  next_index = next_index % count + 1
  return requests[next_index]
end
`;

/**
 * Writes `count` distinct tokens (one a line) and the wrk script that rotates through them
 * into `dir`: `[script, tokens file]`.
 */
export function writeRotatingTokens(
  issuer: BenchIssuer,
  dir: string,
  count: number,
): [string, string] {
  const tokens = join(dir, "tokens.txt");
  const lines = Array.from({ length: count }, (_, i) => issuer.token(`client-${i}`));
  writeFileSync(tokens, `${lines.join("\n")}\n`);
  const script = join(dir, "rotating-tokens.lua");
  writeFileSync(script, ROTATING_TOKENS_LUA);
  return [script, tokens];
}
