import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A certificate and its private key, both PEM. */
export interface CertificateAndKey {
  cert: string;
  key: string;
}

/** A throwaway certificate authority for TLS tests. */
export interface TestCa {
  /** The CA certificate (PEM): give it to clients as `ca` so they trust issued certificates. */
  readonly caCert: string;
  /**
   * Issues a certificate signed by this CA (valid 30 days, for server and client auth) with one
   * subjectAltName per hostname: IP literals as IP entries, names as DNS entries.
   * Default hostnames: `localhost`, `127.0.0.1`, `::1`.
   */
  issue(hostnames?: string[]): CertificateAndKey;
}

let cached: TestCa | undefined;

/**
 * The process's test CA, created with the `openssl` CLI on the first call and reused after.
 * Keys are ECDSA P-256: generated in milliseconds, and accepted by Node and undici.
 */
export function createTestCa(): TestCa {
  cached ??= newCa();
  return cached;
}

const DEFAULT_HOSTNAMES = ["localhost", "127.0.0.1", "::1"];
const NEW_EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
/** Letters, digits, `-`, `.`, and a leading `*.` for wildcards (RFC 6125 §6.4.3). */
const DNS_NAME =
  /^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

function newCa(): TestCa {
  const ca = inTempDir((dir) => {
    openssl(
      dir,
      ["req", "-x509", ...NEW_EC_KEY, "-keyout", "ca.key", "-out", "ca.crt"]
        .concat(["-days", "365", "-subj", "/CN=Switchyard Test CA"])
        // Node only chains to a certificate marked as a CA (RFC 5280 §4.2.1.9).
        .concat(["-addext", "basicConstraints=critical,CA:TRUE"])
        .concat(["-addext", "keyUsage=critical,keyCertSign,cRLSign"]),
    );
    return { cert: read(dir, "ca.crt"), key: read(dir, "ca.key") };
  });
  return { caCert: ca.cert, issue: (hostnames = DEFAULT_HOSTNAMES) => issue(ca, hostnames) };
}

function issue(ca: CertificateAndKey, hostnames: string[]): CertificateAndKey {
  const altNames = hostnames.map(subjectAltName);
  if (altNames.length === 0) throw new Error("issue(hostnames): give at least one hostname");
  return inTempDir((dir) => {
    writeFileSync(join(dir, "ca.crt"), ca.cert);
    writeFileSync(join(dir, "ca.key"), ca.key, { mode: 0o600 });
    writeFileSync(
      join(dir, "leaf.ext"),
      [
        "basicConstraints = CA:FALSE",
        "keyUsage = critical, digitalSignature, keyEncipherment",
        "extendedKeyUsage = serverAuth, clientAuth",
        `subjectAltName = ${altNames.join(", ")}`,
      ].join("\n"),
    );
    openssl(
      dir,
      ["req", "-new", ...NEW_EC_KEY, "-keyout", "leaf.key", "-out", "leaf.csr"].concat([
        "-subj",
        `/CN=${hostnames[0]}`,
      ]),
    );
    // A random serial: two certificates from one CA must never share one (RFC 5280 §4.1.2.2).
    const serial = `0x${randomBytes(16).toString("hex")}`;
    openssl(
      dir,
      ["x509", "-req", "-in", "leaf.csr", "-CA", "ca.crt", "-CAkey", "ca.key"].concat([
        "-set_serial",
        serial,
        "-days",
        "30",
        "-extfile",
        "leaf.ext",
        "-out",
        "leaf.crt",
      ]),
    );
    return { cert: read(dir, "leaf.crt"), key: read(dir, "leaf.key") };
  });
}

/** `IP:…` for an IP literal, `DNS:…` for a name; anything else is refused before openssl sees it. */
function subjectAltName(hostname: string): string {
  if (isIP(hostname) !== 0) return `IP:${hostname}`;
  if (DNS_NAME.test(hostname)) return `DNS:${hostname}`;
  throw new Error(
    `issue(hostnames): ${JSON.stringify(hostname)} is neither an IP address nor a DNS name`,
  );
}

function openssl(cwd: string, args: string[]): void {
  try {
    execFileSync("openssl", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: Buffer };
    if (failure.code === "ENOENT")
      throw new Error("openssl is not on PATH; it is needed for TLS tests");
    throw new Error(
      `openssl ${args[0]} failed: ${failure.stderr?.toString().trim() ?? failure.message}`,
    );
  }
}

function inTempDir<T>(use: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-tls-"));
  try {
    return use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function read(dir: string, name: string): string {
  return readFileSync(join(dir, name), "utf8");
}
