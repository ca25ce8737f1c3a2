import { createRequire } from "node:module";
import path from "node:path";

/**
 * Where the built web console is: `dist/` of the `@switchyard/console` package, which holds
 * nothing else at run time. The control plane serves it at `/` (it says so in its log when the
 * directory was never built).
 */
export function consoleDir(): string {
  const manifest = createRequire(import.meta.url).resolve("@switchyard/console/package.json");
  return path.join(path.dirname(manifest), "dist");
}
