/**
 * @switchyard/matcher is pure (DESIGN.md §1): its sources import nothing from Node (`node:*`
 * or a bare built-in name) and touch no process state, so the control plane and the worker
 * can share it and every branch is testable as a table. This keeps it so.
 */
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../src", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

const BUILTINS = new Set(builtinModules.filter((name) => !name.startsWith("_")));
/** Every module specifier of `import … from "x"`, `export … from "x"`, `import("x")`, `require("x")`. */
const SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm;

describe("matcher sources", () => {
  const files = sources(SRC);

  it("are found", () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files.map((file) => [file.slice(SRC.length + 1), file]))(
    "%s imports nothing from Node and reads no process state",
    (_, file) => {
      const text = readFileSync(file, "utf8");
      const specifiers = [...text.matchAll(SPECIFIER)].map((m) => m[1]!);
      const fromNode = specifiers.filter(
        (s) => s.startsWith("node:") || BUILTINS.has(s.split("/")[0]!),
      );
      expect(fromNode).toEqual([]);
      expect(text).not.toMatch(/\bprocess\.(env|argv|cwd|hrtime|memoryUsage)\b/);
    },
  );
});
