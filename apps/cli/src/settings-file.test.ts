// biome-ignore-all lint/suspicious/noTemplateCurlyInString: settings files contain ${VAR} references literally
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  loadSettingsFile,
  mergeSettings,
  parseSettingsFile,
  SettingsFileError,
} from "./settings-file.js";

const known = [
  "SWITCHYARD_API_PORT",
  "SWITCHYARD_DATABASE_URL",
  "SWITCHYARD_ALLOW_PRIVATE_TARGETS",
  "SWITCHYARD_ADMIN_TOKEN",
];
const env = { DB_HOST: "db.internal", EMPTY: "" };
const parse = (text: string) => parseSettingsFile(text, "switchyard.yaml", { known, env });

describe("parseSettingsFile", () => {
  it.each([
    { desc: "an empty file", text: "", expected: {} },
    {
      desc: "a number stays as written",
      text: "SWITCHYARD_API_PORT: 8081\n",
      expected: { SWITCHYARD_API_PORT: "8081" },
    },
    {
      desc: "a long numeric token is not rounded",
      text: "SWITCHYARD_ADMIN_TOKEN: 012345678901234567890123\n",
      expected: { SWITCHYARD_ADMIN_TOKEN: "012345678901234567890123" },
    },
    {
      desc: "${VAR} interpolation",
      text: "SWITCHYARD_DATABASE_URL: postgres://${DB_HOST}:5432/app\n",
      expected: { SWITCHYARD_DATABASE_URL: "postgres://db.internal:5432/app" },
    },
    {
      desc: "an empty variable is set",
      text: "SWITCHYARD_DATABASE_URL: x${EMPTY}y\n",
      expected: { SWITCHYARD_DATABASE_URL: "xy" },
    },
    {
      desc: "$${ escapes",
      text: "SWITCHYARD_ADMIN_TOKEN: a$${NOT_A_VAR}b\n",
      expected: { SWITCHYARD_ADMIN_TOKEN: "a${NOT_A_VAR}b" },
    },
    {
      desc: "a list becomes a comma list",
      text: "SWITCHYARD_ALLOW_PRIVATE_TARGETS:\n  - 10.0.0.0/8\n  - '*.svc.cluster.local'\n",
      expected: { SWITCHYARD_ALLOW_PRIVATE_TARGETS: "10.0.0.0/8,*.svc.cluster.local" },
    },
    {
      desc: "an empty value leaves the setting unset",
      text: "SWITCHYARD_API_PORT:\n",
      expected: {},
    },
    {
      desc: "quoted strings",
      text: 'SWITCHYARD_API_PORT: "0"\n',
      expected: { SWITCHYARD_API_PORT: "0" },
    },
  ])("$desc", ({ text, expected }) => {
    expect(parse(text)).toEqual(expected);
  });

  it.each([
    {
      desc: "an unknown key names the key and the file",
      text: "SWITCHYARD_API_PORT: 1\nSWITCHYARD_APIPORT: 2\n",
      message: "switchyard.yaml: unknown setting SWITCHYARD_APIPORT (known: SWITCHYARD_API_PORT,",
    },
    {
      desc: "an unset variable",
      text: "SWITCHYARD_DATABASE_URL: ${DB_URL}\n",
      message: "switchyard.yaml: SWITCHYARD_DATABASE_URL: environment variable DB_URL is not set",
    },
    {
      desc: "a malformed reference",
      text: "SWITCHYARD_DATABASE_URL: ${not valid}\n",
      message:
        'switchyard.yaml: SWITCHYARD_DATABASE_URL: "${not valid}" is not a variable reference',
    },
    {
      desc: "a mapping value",
      text: "SWITCHYARD_API_PORT:\n  port: 1\n",
      message: "switchyard.yaml: SWITCHYARD_API_PORT must be a value or a list of values",
    },
    {
      desc: "a top-level list",
      text: "- SWITCHYARD_API_PORT\n",
      message: "switchyard.yaml: must be a mapping of setting names to values",
    },
    {
      desc: "a duplicate key",
      text: "SWITCHYARD_API_PORT: 1\nSWITCHYARD_API_PORT: 2\n",
      message: "switchyard.yaml:2:1: Map keys must be unique",
    },
    { desc: "invalid YAML", text: "SWITCHYARD_API_PORT: [1\n", message: "switchyard.yaml:" },
  ])("rejects $desc", ({ text, message }) => {
    expect(() => parse(text)).toThrow(SettingsFileError);
    expect(() => parse(text)).toThrow(message);
  });
});

describe("loadSettingsFile", () => {
  it("reads a file and names a missing one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "switchyard-settings-"));
    try {
      const file = join(dir, "switchyard.yaml");
      await writeFile(file, "SWITCHYARD_API_PORT: 9000\n");
      await expect(loadSettingsFile(file, { known, env })).resolves.toEqual({
        SWITCHYARD_API_PORT: "9000",
      });
      const missing = join(dir, "missing.yaml");
      await expect(loadSettingsFile(missing, { known, env })).rejects.toThrow(
        `--config: cannot read ${missing}: no such file`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("mergeSettings", () => {
  it("lets the environment override the file, except with an empty value", () => {
    expect(
      mergeSettings(
        { SWITCHYARD_API_PORT: "1", SWITCHYARD_ADMIN_TOKEN: "from-file" },
        { SWITCHYARD_API_PORT: "2", SWITCHYARD_ADMIN_TOKEN: "", PATH: "/bin" },
      ),
    ).toEqual({ SWITCHYARD_API_PORT: "2", SWITCHYARD_ADMIN_TOKEN: "from-file", PATH: "/bin" });
  });
});
