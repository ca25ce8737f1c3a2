import type { CliIo } from "../src/io.js";

/** A CliIo that keeps what the program writes, for running it in memory. */
export interface MemoryIo extends CliIo {
  readonly stdout: string;
  readonly stderr: string;
}

export function memoryIo(env: Record<string, string | undefined> = {}): MemoryIo {
  let stdout = "";
  let stderr = "";
  return {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
    env,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}
