/**
 * Where a command reads its environment and writes its output. The process uses
 * the real streams; tests pass buffers so they can run the program in memory.
 */
export interface CliIo {
  /** Writes to standard output; `text` carries its own newlines. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** The environment (`SWITCHYARD_SERVER`, `SWITCHYARD_TOKEN`, settings for the servers). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The process's own stdout, stderr and environment. */
export function processIo(): CliIo {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    env: process.env,
  };
}
