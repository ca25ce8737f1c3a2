/**
 * `--server` pointing at something that is not a control plane: the admin port, the proxy
 * port, https:// against the plain-text API port, a web server answering HTML. Each ends in
 * one line naming the URL and exit code 7, never an empty `error:`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../src/exit-codes.js";
import { type DevProcess, devEnv, startDevProcess } from "./dev-process.js";
import { spawnCli } from "./spawn-cli.js";

let dir: string;
let dev: DevProcess;
let html: Server;
let htmlUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchyard-wrong-server-"));
  dev = await startDevProcess(devEnv(join(dir, "data")));
  html = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<!doctype html><title>Welcome</title><h1>It works</h1>");
    });
  });
  await new Promise<void>((resolve) => html.listen(0, "127.0.0.1", resolve));
  htmlUrl = `http://127.0.0.1:${(html.address() as AddressInfo).port}`;
}, 300_000);

afterAll(async () => {
  await dev?.stop();
  if (html !== undefined) await new Promise((resolve) => html.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe("a --server that is not a control plane", () => {
  const cases: { desc: string; server: () => string; why: RegExp }[] = [
    { desc: "the admin port", server: () => dev.banner.adminUrl, why: /for a Switchyard API call/ },
    { desc: "the proxy port", server: () => dev.banner.proxyUrl, why: /problem\+json/ },
    {
      desc: "https:// against the plain-text API port",
      server: () => dev.banner.apiUrl.replace(/^http:/, "https:"),
      why: /TLS handshake failed: is it an http:\/\/ URL\?/,
    },
    { desc: "a web server answering HTML", server: () => htmlUrl, why: /it answered text\/html/ },
  ];

  it.each(cases)("exits 7 with one line naming the URL: $desc", async ({ server, why }) => {
    const url = server();
    const result = await spawnCli(["--server", url, "projects", "list"], {
      SWITCHYARD_TOKEN: dev.banner.adminToken,
    });
    expect(result.code).toBe(ExitCode.unavailable);
    const lines = result.stderr.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`error: ${url} did not answer as a Switchyard control plane (`);
    expect(lines[0]).toMatch(why);
    expect(result.stdout).toBe("");
  });

  it("still lists projects from the API port itself", async () => {
    const result = await spawnCli(["--server", dev.banner.apiUrl, "projects", "list"], {
      SWITCHYARD_TOKEN: dev.banner.adminToken,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(ExitCode.ok);
  });
});
