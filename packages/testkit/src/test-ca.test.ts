import { X509Certificate } from "node:crypto";
import { createServer, get } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeServer } from "./close-server.js";
import { listen } from "./listen.js";
import { createTestCa } from "./test-ca.js";

function fetchBody(url: string, ca?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      let body = "";
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => resolve(body));
    }).on("error", reject);
  });
}

describe("createTestCa", () => {
  const ca = createTestCa();
  const server = createServer(ca.issue(), (_req, res) => res.end("trusted"));
  let port: number;
  beforeAll(async () => {
    port = await listen(server, 0, "127.0.0.1");
  });
  afterAll(() => closeServer(server));

  it("is created once per process", () => {
    expect(createTestCa()).toBe(ca);
    expect(ca.caCert).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  it.each(["localhost", "127.0.0.1"])(
    "is trusted at https://%s by a client given the CA",
    async (host) => {
      await expect(fetchBody(`https://${host}:${port}/`, ca.caCert)).resolves.toBe("trusted");
    },
  );

  it("is trusted over IPv6 ::1", async () => {
    const v6 = createServer(ca.issue(["::1"]), (_req, res) => res.end("v6"));
    const v6port = await listen(v6, 0, "::1").catch(() => undefined);
    if (v6port === undefined) return; // no IPv6 loopback on this machine
    await expect(fetchBody(`https://[::1]:${v6port}/`, ca.caCert)).resolves.toBe("v6");
    await closeServer(v6);
  });

  it("is rejected by a client without the CA", async () => {
    await expect(fetchBody(`https://127.0.0.1:${port}/`)).rejects.toMatchObject({
      code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    });
  });

  it("is rejected for a hostname it was not issued for", async () => {
    const other = createServer(ca.issue(["api.example.test"]), (_req, res) => res.end());
    const otherPort = await listen(other);
    await expect(fetchBody(`https://127.0.0.1:${otherPort}/`, ca.caCert)).rejects.toMatchObject({
      code: "ERR_TLS_CERT_ALTNAME_INVALID",
    });
    await closeServer(other);
  });

  it("lists every hostname as a subjectAltName, IPs as IP entries", () => {
    const { cert } = ca.issue(["*.example.test", "example.test", "10.0.0.1", "::1"]);
    const x509 = new X509Certificate(cert);
    expect(x509.subjectAltName).toBe(
      "DNS:*.example.test, DNS:example.test, IP Address:10.0.0.1, IP Address:0:0:0:0:0:0:0:1",
    );
    expect(x509.checkIssued(new X509Certificate(ca.caCert))).toBe(true);
    expect(x509.ca).toBe(false);
  });

  it("issues distinct keys and serials", () => {
    const [a, b] = [ca.issue(["localhost"]), ca.issue(["localhost"])];
    expect(a.key).not.toBe(b.key);
    expect(new X509Certificate(a.cert).serialNumber).not.toBe(
      new X509Certificate(b.cert).serialNumber,
    );
  });

  it.each([
    [[], /at least one hostname/],
    [["bad host"], /"bad host" is neither an IP address nor a DNS name/],
    [["a,DNS:evil"], /neither an IP address nor a DNS name/],
  ])("refuses hostnames %j", (hostnames, message) => {
    expect(() => ca.issue(hostnames)).toThrow(message);
  });
});
