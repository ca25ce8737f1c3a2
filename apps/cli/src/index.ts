/**
 * @switchyard/cli: the `switchyard` command. The binary is dist/main.js; this
 * entry exposes the program for tests and for tools that embed it.
 */

export { CliError } from "./cli-error.js";
export { bearerAuth, createCliClient, defaultServerUrl, type ServerOptions } from "./client.js";
export { ExitCode, exitCodeForConnectCode, exitCodeHelp } from "./exit-codes.js";
export type { CliIo } from "./io.js";
export { buildProgram } from "./program.js";
export { runCli } from "./run.js";
export { loadSettingsFile, SettingsFileError, type SettingsFileOptions } from "./settings-file.js";
export { UsageError } from "./usage-error.js";
