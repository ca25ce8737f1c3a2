import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkPureSources } from "./pure-sources.js";

describe("checkPureSources", () => {
  const dir = mkdtempSync(join(tmpdir(), "pure-sources-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "sub"));
  const files: Record<string, string> = {
    "pure.ts": 'import { x } from "./x.js";\nexport const y = x;\n',
    "sub/node-prefix.ts": 'import { readFile } from "node:fs/promises";\n',
    "sub/bare-builtin.ts": 'export { createHash } from "crypto";\n',
    "dynamic.ts": 'const m = await import("net");\n',
    "env.ts": "export const port = process.env.PORT;\n",
    "skipped.test.ts": 'import "node:fs";\n',
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);

  it("names every impure file and why, and skips tests", () => {
    const result = checkPureSources(dir);
    expect(result.files).toHaveLength(5);
    expect(result.impure.sort((a, b) => a.file.localeCompare(b.file))).toEqual([
      { file: "dynamic.ts", nodeImports: ["net"], readsProcess: false },
      { file: "env.ts", nodeImports: [], readsProcess: true },
      { file: join("sub", "bare-builtin.ts"), nodeImports: ["crypto"], readsProcess: false },
      {
        file: join("sub", "node-prefix.ts"),
        nodeImports: ["node:fs/promises"],
        readsProcess: false,
      },
    ]);
  });
});
