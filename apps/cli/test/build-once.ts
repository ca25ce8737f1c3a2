import { buildCli } from "./spawn-cli.js";

/**
 * vitest globalSetup: builds the binary and what it imports once, before any test file runs.
 * The files spawn dist/main.js side by side; a build inside one of them would rewrite dist/
 * under the processes of another.
 */
export default async function setup(): Promise<void> {
  await buildCli();
}
