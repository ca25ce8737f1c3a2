import { describe, expect, it } from "vitest";
import { CliError } from "../cli-error.js";
import { shellWord } from "./dev-banner.js";
import { DEV_SETTINGS, parseDevSettings } from "./dev-settings.js";

describe("parseDevSettings", () => {
  it("listens on loopback with the dev ports and allows local http targets by default", () => {
    const { controlPlane, worker, defaulted } = parseDevSettings({});
    expect(controlPlane).toMatchObject({ dev: true, host: "127.0.0.1", apiPort: 8081 });
    expect(controlPlane.adminPort).toBe(9090);
    expect(worker).toMatchObject({ dev: true, host: "127.0.0.1", proxyPort: 8080 });
    expect(worker.adminPort).toBe(9090);
    expect(controlPlane.targetPolicy.allowHttp).toBe(true);
    expect(worker.allowHttpTargets).toBe(true);
    expect(worker.allowPrivateTargets).toEqual(["127.0.0.0/8", "::1", "localhost"]);
    expect(defaulted).toEqual([
      "SWITCHYARD_HOST",
      "SWITCHYARD_ALLOW_HTTP_TARGETS",
      "SWITCHYARD_ALLOW_PRIVATE_TARGETS",
    ]);
  });

  it.each<{ desc: string; source: Record<string, string>; defaulted: string[] }>([
    {
      desc: "the operator's host",
      source: { SWITCHYARD_HOST: "0.0.0.0" },
      defaulted: ["SWITCHYARD_ALLOW_HTTP_TARGETS", "SWITCHYARD_ALLOW_PRIVATE_TARGETS"],
    },
    {
      desc: "https only",
      source: { SWITCHYARD_ALLOW_HTTP_TARGETS: "false" },
      defaulted: ["SWITCHYARD_HOST", "SWITCHYARD_ALLOW_PRIVATE_TARGETS"],
    },
    {
      desc: "an empty value, which counts as unset",
      source: { SWITCHYARD_ALLOW_PRIVATE_TARGETS: "" },
      defaulted: [
        "SWITCHYARD_HOST",
        "SWITCHYARD_ALLOW_HTTP_TARGETS",
        "SWITCHYARD_ALLOW_PRIVATE_TARGETS",
      ],
    },
  ])("keeps $desc", ({ source, defaulted }) => {
    expect(parseDevSettings(source).defaulted).toEqual(defaulted);
  });

  it("accepts each component's own settings", () => {
    const { controlPlane, worker } = parseDevSettings({
      SWITCHYARD_MAX_BODY_BYTES: "1024",
      SWITCHYARD_DATA_DIR: "/tmp/x",
    });
    expect(worker.maxBodyBytes).toBe(1024);
    expect(controlPlane.dataDir).toBe("/tmp/x");
    expect(DEV_SETTINGS).toEqual(
      expect.arrayContaining(["SWITCHYARD_PROXY_PORT", "SWITCHYARD_API_PORT"]),
    );
    expect(new Set(DEV_SETTINGS).size).toBe(DEV_SETTINGS.length);
  });

  it.each<{ desc: string; source: Record<string, string>; message: string }>([
    {
      desc: "each bad setting once, in one line",
      source: { SWITCHYARD_HOST: "not a host!", SWITCHYARD_API_PORT: "x" },
      message:
        'SWITCHYARD_HOST: must be an IP address or a host name, got "not a host!"; SWITCHYARD_API_PORT: must be an integer 0..65535, got "x"',
    },
    {
      desc: "the proxy and the API on one port",
      source: { SWITCHYARD_PROXY_PORT: "8081" },
      message: "SWITCHYARD_PROXY_PORT: must differ from SWITCHYARD_API_PORT (both 8081)",
    },
  ])("reports $desc", ({ source, message }) => {
    let caught: unknown;
    try {
      parseDevSettings(source);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CliError);
    expect((caught as CliError).message).toBe(message);
  });
});

describe("shellWord", () => {
  it.each([
    ["http://127.0.0.1:8081", "http://127.0.0.1:8081"],
    ["sydev_a-b_C", "sydev_a-b_C"],
    ["with space", "'with space'"],
    ["it's", `'it'\\''s'`],
    ["$HOME", "'$HOME'"],
  ])("%s -> %s", (value, word) => {
    expect(shellWord(value)).toBe(word);
  });
});
