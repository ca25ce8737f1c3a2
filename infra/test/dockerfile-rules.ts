/**
 * A few of hadolint's rules (https://github.com/hadolint/hadolint#rules), for a Dockerfile read
 * as instructions. hadolint itself is a Haskell binary that neither npm nor Debian ships here,
 * so the rules this image must keep are checked by this small reader instead.
 */

/** One instruction: its keyword in upper case, its arguments, its line and its build stage. */
export interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
  /** 0 for the first FROM's stage, 1 for the next… */
  readonly stage: number;
}

/** The instructions of `text`, with `\` continuations joined and comments dropped. */
export function readDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  const lines = text.split("\n");
  let stage = -1;
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    while (line.endsWith("\\") && i + 1 < lines.length) {
      i++;
      const next = lines[i]!.trim();
      line = `${line.slice(0, -1).trimEnd()} ${next.startsWith("#") ? "" : next}`.trimEnd();
    }
    const [keyword = "", ...rest] = line.split(/\s+/);
    if (keyword.toUpperCase() === "FROM") stage++;
    instructions.push({
      keyword: keyword.toUpperCase(),
      args: rest.join(" "),
      line: start + 1,
      stage,
    });
  }
  return instructions;
}

/** A broken rule: hadolint's code, the line, and what is wrong. */
export interface Finding {
  readonly rule: string;
  readonly line: number;
  readonly message: string;
}

const isExecForm = (args: string) => {
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((a) => typeof a === "string");
  } catch {
    return false;
  }
};

/** Every rule `instructions` break, in line order. */
export function lintDockerfile(instructions: readonly Instruction[]): Finding[] {
  const findings: Finding[] = [];
  const fail = (rule: string, at: Instruction | undefined, message: string) =>
    findings.push({ rule, line: at?.line ?? 0, message });
  const stages = new Set<string>();
  const lastStage = Math.max(...instructions.map((i) => i.stage));
  for (const at of instructions) {
    const { keyword, args } = at;
    if (keyword === "FROM") {
      const [image = "", as, name] = args.replace(/--platform=\S+\s+/, "").split(/\s+/);
      if (as?.toUpperCase() === "AS" && name) stages.add(name);
      if (stages.has(image) || image === "scratch") continue;
      const tag = image.includes("@") ? "digest" : image.split("/").pop()!.split(":")[1];
      if (tag === undefined) fail("DL3006", at, `FROM ${image}: tag the image version explicitly`);
      if (tag === "latest") fail("DL3007", at, `FROM ${image}: 'latest' is not a version`);
    }
    if (keyword === "ADD") fail("DL3020", at, "use COPY, not ADD, for files and folders");
    if (keyword === "MAINTAINER") fail("DL4000", at, "MAINTAINER is deprecated");
    if ((keyword === "ENTRYPOINT" || keyword === "CMD") && !isExecForm(args)) {
      fail("DL3025", at, `${keyword}: use the JSON (exec) form, so signals reach the process`);
    }
    if (keyword === "COPY") {
      const from = /--from=(\S+)/.exec(args)?.[1];
      if (from !== undefined && !stages.has(from))
        fail("DL3022", at, `COPY --from=${from}: no such stage above`);
    }
    if (keyword === "RUN") {
      if (/\bsudo\b/.test(args)) fail("DL3004", at, "do not use sudo");
      if (/(^|&&|;)\s*cd\s/.test(args)) fail("DL3003", at, "use WORKDIR to switch to a directory");
      if (/apt-get\s+(-\S+\s+)*upgrade/.test(args)) fail("DL3005", at, "do not apt-get upgrade");
      if (/apt-get\s+(-\S+\s+)*install/.test(args)) {
        if (!/--no-install-recommends/.test(args))
          fail("DL3015", at, "apt-get install --no-install-recommends");
        if (!/\s-y\b|--yes|--assume-yes/.test(args)) fail("DL3014", at, "apt-get install -y");
        if (!/rm -rf \/var\/lib\/apt\/lists/.test(args))
          fail("DL3009", at, "delete the apt lists after installing");
      }
      for (const match of args.matchAll(/npm\s+(?:install|i)\s+(?:-g|--global)\s+([^\s&;]+)/g)) {
        // pkg@1.2.3, or a version from a build argument: pkg@${VERSION}.
        const spec = match[1]!.replace(/["']/g, "").replace(/^@/, "");
        if (!/@(\d|\$)/.test(spec))
          fail("DL3016", at, `npm install -g ${match[1]}: pin the version`);
      }
    }
  }
  const final = instructions.filter((i) => i.stage === lastStage);
  const user = final.filter((i) => i.keyword === "USER").pop();
  if (user === undefined)
    fail("DL3002", undefined, "the final stage sets no USER: it would run as root");
  else if (/^(root|0)(:|$)/.test(user.args))
    fail("DL3002", user, "the final stage's last USER is root");
  if (!final.some((i) => i.keyword === "HEALTHCHECK"))
    fail("DL3057", undefined, "the final stage has no HEALTHCHECK");
  return findings.sort((a, b) => a.line - b.line);
}
