import { describe, expect, it } from "vitest";
import { type Component, SWITCHYARD_SETTINGS, settingsReadBy } from "./setting-names.js";

describe("settingsReadBy", () => {
  it.each<{ desc: string; components: Component[]; expected: string[] }>([
    {
      desc: "the CLI client",
      components: ["cli"],
      expected: ["SWITCHYARD_SERVER", "SWITCHYARD_TOKEN", "SWITCHYARD_CLI_CONFIG"],
    },
    {
      desc: "the test suites",
      components: ["tests"],
      expected: ["SWITCHYARD_TEST_DATABASE_URL", "SWITCHYARD_TEST_REDIS_URL"],
    },
    {
      desc: "the control plane",
      components: ["control-plane"],
      expected: [
        "SWITCHYARD_DATABASE_URL",
        "SWITCHYARD_DATA_DIR",
        "SWITCHYARD_REDIS_URL",
        "SWITCHYARD_REDIS_CLUSTER_NODES",
        "SWITCHYARD_HOST",
        "SWITCHYARD_API_PORT",
        "SWITCHYARD_ADMIN_PORT",
        "SWITCHYARD_ADMIN_TOKEN",
        "SWITCHYARD_ENCRYPTION_KEYS",
        "SWITCHYARD_ALLOW_PRIVATE_TARGETS",
        "SWITCHYARD_ALLOW_HTTP_TARGETS",
        "SWITCHYARD_LOG_LEVEL",
      ],
    },
    { desc: "nobody", components: [], expected: [] },
  ])("lists what $desc reads, in order", ({ components, expected }) => {
    expect(settingsReadBy(...components)).toEqual(expected);
  });

  it("lists a setting two components read once", () => {
    const both = settingsReadBy("control-plane", "worker");
    expect(both.filter((name) => name === "SWITCHYARD_HOST")).toHaveLength(1);
    expect(both).toEqual(expect.arrayContaining(["SWITCHYARD_API_PORT", "SWITCHYARD_PROXY_PORT"]));
  });

  it("leaves out reserved names nobody reads; none is left since the worker reads the JWKS URL", () => {
    const read = settingsReadBy("control-plane", "worker", "cli", "tests");
    const reserved = Object.keys(SWITCHYARD_SETTINGS).filter(
      (name) => !read.includes(name as never),
    );
    expect(reserved).toEqual([]);
  });
});
