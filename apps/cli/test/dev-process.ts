import { type ChildProcess, spawn } from "node:child_process";
import { request } from "node:http";
import { baseEnv, mainJs, spawnCli } from "./spawn-cli.js";

/** What the banner of `switchyard dev` told us. */
export interface DevBanner {
  readonly text: string;
  readonly proxyUrl: string;
  readonly apiUrl: string;
  readonly adminUrl: string;
  readonly adminToken: string;
  /** The values of the two `export` lines, as a shell would set them. */
  readonly exports: { SWITCHYARD_SERVER: string; SWITCHYARD_TOKEN: string };
}

/** `switchyard dev` as a child process. */
export interface DevProcess {
  readonly child: ChildProcess;
  readonly banner: DevBanner;
  /** Everything written to standard output and standard error so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or 128 + signal) once the process has exited. */
  readonly exited: Promise<number>;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/** Settings that keep a test's `switchyard dev` on ephemeral loopback ports. */
export function devEnv(dataDir: string, extra: Record<string, string> = {}) {
  return {
    SWITCHYARD_DATA_DIR: dataDir,
    SWITCHYARD_PROXY_PORT: "0",
    SWITCHYARD_API_PORT: "0",
    SWITCHYARD_ADMIN_PORT: "0",
    ...extra,
  };
}

const field = (text: string, pattern: RegExp, what: string) => {
  const value = pattern.exec(text)?.[1];
  if (value === undefined) throw new Error(`no ${what} in the banner:\n${text}`);
  return value;
};

/** Starts `switchyard dev …argv` and resolves once its banner is complete. */
export function startDevProcess(
  env: Record<string, string>,
  argv: readonly string[] = [],
): Promise<DevProcess> {
  const child = spawn(process.execPath, [mainJs, "dev", ...argv], {
    env: baseEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const exited = new Promise<number>((resolve) => {
    child.once("exit", (code, signal) =>
      resolve(code ?? 128 + (signal === "SIGINT" ? 2 : signal === "SIGKILL" ? 9 : 15)),
    );
  });
  return new Promise((resolve, reject) => {
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!/^ {2}export SWITCHYARD_TOKEN=.*\n/m.test(stderr)) return;
      const text = stderr;
      try {
        const banner: DevBanner = {
          text,
          proxyUrl: field(text, /^ {2}proxy +(\S+)$/m, "proxy URL"),
          apiUrl: field(text, /^ {2}API +(\S+)$/m, "API URL"),
          adminUrl: field(text, /^ {2}admin +(\S+) /m, "admin URL"),
          adminToken: field(text, /^ {2}admin token +(\S+) /m, "admin token"),
          exports: {
            SWITCHYARD_SERVER: field(text, /^ {2}export SWITCHYARD_SERVER=(\S+)$/m, "server"),
            SWITCHYARD_TOKEN: field(text, /^ {2}export SWITCHYARD_TOKEN=(\S+)$/m, "token"),
          },
        };
        resolve({
          child,
          banner,
          stdout: () => stdout,
          stderr: () => stderr,
          exited,
          stop: (signal = "SIGTERM") => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      } catch (error) {
        child.kill("SIGKILL");
        reject(error);
      }
    });
    void exited.then((code) =>
      reject(new Error(`switchyard dev exited ${code} before its banner:\n${stderr}`)),
    );
  });
}

/** `switchyard …argv` against a dev process, with the banner's two exports as the environment. */
export async function cliAgainst(dev: DevProcess, argv: readonly string[]) {
  const result = await spawnCli(argv, { ...dev.banner.exports });
  if (result.code !== 0) {
    throw new Error(`switchyard ${argv.join(" ")} exited ${result.code}: ${result.stderr}`);
  }
  return result.stdout;
}

/** Runs a CLI command with `-o json` and returns the document. */
export async function cliJson<T>(dev: DevProcess, argv: readonly string[]): Promise<T> {
  return JSON.parse(await cliAgainst(dev, ["-o", "json", ...argv])) as T;
}

/** A response read whole. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** GET `path` from `baseUrl` with an explicit `Host` header, on a fresh connection. */
export function get(baseUrl: string, path: string, host?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, baseUrl),
      { agent: false, headers: host === undefined ? {} : { host } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}
