import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";

const BUILTINS = new Set(builtinModules.filter((name) => !name.startsWith("_")));
/** Every module specifier of `import … from "x"`, `export … from "x"`, `import("x")`, `require("x")`. */
const SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm;
const PROCESS_STATE = /\bprocess\.(env|argv|cwd|hrtime|memoryUsage)\b/;

/** What keeps one source file from being pure. */
export interface ImpureSource {
  /** Relative to the folder that was checked. */
  file: string;
  /** Node modules it imports (`node:*` or a bare built-in name). */
  nodeImports: string[];
  /** Whether it reads process state (`process.env`, `process.argv` …). */
  readsProcess: boolean;
}

/**
 * The non-test `.ts` files under `srcDir`, and which of them are not pure (DESIGN.md §1:
 * pure packages import nothing from Node and touch no process state). A pure package's test
 * asserts that `impure` is empty, and that `files` found what it expects.
 */
export function checkPureSources(srcDir: string): { files: string[]; impure: ImpureSource[] } {
  const files = sourceFiles(srcDir);
  const impure: ImpureSource[] = [];
  for (const path of files) {
    const text = readFileSync(path, "utf8");
    const nodeImports = [...text.matchAll(SPECIFIER)]
      .map((match) => match[1]!)
      .filter((s) => s.startsWith("node:") || BUILTINS.has(s.split("/")[0]!));
    const readsProcess = PROCESS_STATE.test(text);
    if (nodeImports.length > 0 || readsProcess) {
      impure.push({ file: relative(srcDir, path), nodeImports, readsProcess });
    }
  }
  return { files, impure };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}
