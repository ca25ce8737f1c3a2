import { readFileSync } from "node:fs";

/** The version in the CLI's package.json: `--version`, and what a worker reports in its heartbeats. */
export function cliVersion(): string {
  // src/ and dist/ both sit one level below the package root.
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}
