import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Instruction, lintDockerfile, readDockerfile } from "./dockerfile-rules.js";
import { readRepoFile, repoRoot } from "./infra-files.js";

/**
 * infra/docker/Dockerfile: hadolint's rules that matter for this image, and what the image
 * must do to run Switchyard (the pnpm the workspace pins, the assemble script, tini, the
 * HEALTHCHECK script, `switchyard` as the entry point and `worker` as the default command).
 */

const dockerfile = readDockerfile(readRepoFile("infra/docker/Dockerfile"));
const final = dockerfile.filter((i) => i.stage === Math.max(...dockerfile.map((d) => d.stage)));
const one = (instructions: readonly Instruction[], keyword: string) => {
  const found = instructions.filter((i) => i.keyword === keyword);
  expect(found, keyword).toHaveLength(1);
  return found[0]!;
};

describe("the lint rules", () => {
  // Each rule must be able to fail: a Dockerfile that breaks it, and the code it gets.
  it.each([
    ["DL3006", 'FROM node\nUSER 1000\nHEALTHCHECK CMD ["true"]'],
    ["DL3007", 'FROM node:latest\nUSER 1000\nHEALTHCHECK CMD ["true"]'],
    ["DL3020", 'FROM node:24\nADD . /app\nUSER 1000\nHEALTHCHECK CMD ["true"]'],
    ["DL3025", 'FROM node:24\nUSER 1000\nHEALTHCHECK CMD ["true"]\nENTRYPOINT switchyard'],
    ["DL3025", 'FROM node:24\nUSER 1000\nHEALTHCHECK CMD ["true"]\nCMD worker'],
    ["DL3002", 'FROM node:24\nHEALTHCHECK CMD ["true"]'],
    ["DL3002", 'FROM node:24\nUSER root\nHEALTHCHECK CMD ["true"]'],
    ["DL3057", "FROM node:24\nUSER 1000"],
    [
      "DL3009",
      'FROM node:24\nRUN apt-get update && apt-get install -y --no-install-recommends tini\nUSER 1000\nHEALTHCHECK CMD ["true"]',
    ],
    [
      "DL3015",
      'FROM node:24\nRUN apt-get update && apt-get install -y tini \\\n  && rm -rf /var/lib/apt/lists/*\nUSER 1000\nHEALTHCHECK CMD ["true"]',
    ],
    ["DL3016", 'FROM node:24\nRUN npm install -g pnpm\nUSER 1000\nHEALTHCHECK CMD ["true"]'],
    ["DL3003", 'FROM node:24\nRUN cd /app && make\nUSER 1000\nHEALTHCHECK CMD ["true"]'],
    ["DL3022", 'FROM node:24\nCOPY --from=builder /out /app\nUSER 1000\nHEALTHCHECK CMD ["true"]'],
  ])("%s fails on a Dockerfile that breaks it", (rule, text) => {
    expect(lintDockerfile(readDockerfile(text)).map((f) => f.rule)).toContain(rule);
  });

  it("pass a Dockerfile that keeps them", () => {
    const text = [
      "FROM node:24-bookworm-slim AS build",
      "RUN npm install -g pnpm@10.34.9",
      "FROM node:24-bookworm-slim",
      "RUN apt-get update \\",
      "    && apt-get install -y --no-install-recommends tini \\",
      "    && rm -rf /var/lib/apt/lists/*",
      "COPY --from=build /out /app",
      "USER 1000:1000",
      'HEALTHCHECK CMD ["node", "/app/healthcheck.mjs"]',
      'ENTRYPOINT ["switchyard"]',
    ].join("\n");
    expect(lintDockerfile(readDockerfile(text))).toEqual([]);
  });
});

describe("infra/docker/Dockerfile", () => {
  it("keeps every lint rule", () => {
    expect(lintDockerfile(dockerfile)).toEqual([]);
  });

  it("builds on Node 24 LTS in every stage, from a slim image", () => {
    const froms = dockerfile.filter((i) => i.keyword === "FROM");
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from.args).toMatch(/^node:24-bookworm-slim\b/);
  });

  it("installs the pnpm version the workspace pins (package.json packageManager)", () => {
    const pinned = JSON.parse(readRepoFile("package.json")).packageManager as string;
    const run = dockerfile
      .filter((i) => i.keyword === "RUN" || i.keyword === "ENV")
      .map((i) => i.args)
      .join("\n");
    expect(pinned).toMatch(/^pnpm@/);
    expect(run).toContain(`PNPM_VERSION=${pinned.slice("pnpm@".length)}`);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the Dockerfile's own variable
    expect(run).toContain('npm install -g "pnpm@${PNPM_VERSION}"');
  });

  it("installs with the lockfile and assembles production dependencies with infra/docker/assemble.sh", () => {
    const runs = dockerfile
      .filter((i) => i.keyword === "RUN")
      .map((i) => i.args)
      .join("\n");
    expect(runs).toContain("pnpm install --frozen-lockfile");
    expect(runs).toContain("sh infra/docker/assemble.sh /out");
    expect(readRepoFile("infra/docker/assemble.sh")).toContain("deploy --prod");
    const copy = final.filter((i) => i.keyword === "COPY").map((i) => i.args);
    expect(copy).toContain("--from=build --chown=0:0 /out /app");
  });

  it("copies only files that exist in the repository", () => {
    for (const at of dockerfile.filter(
      (i) => i.keyword === "COPY" && !i.args.includes("--from="),
    )) {
      const sources = at.args
        .split(/\s+/)
        .filter((a) => !a.startsWith("--"))
        .slice(0, -1);
      for (const source of sources) {
        if (source === ".") continue;
        expect(existsSync(join(repoRoot, source)), `COPY ${source}`).toBe(true);
      }
    }
  });

  it("runs `switchyard` under tini as a non-root user, `worker` by default", () => {
    expect(JSON.parse(one(final, "ENTRYPOINT").args)).toEqual([
      "/usr/bin/tini",
      "--",
      "switchyard",
    ]);
    expect(JSON.parse(one(final, "CMD").args)).toEqual(["worker"]);
    expect(one(final, "USER").args).toBe("1000:1000");
    const runs = final
      .filter((i) => i.keyword === "RUN")
      .map((i) => i.args)
      .join("\n");
    expect(runs).toContain("install -y --no-install-recommends tini");
    expect(runs).toContain("ln -s /app/dist/main.js /usr/local/bin/switchyard");
  });

  it("checks its health with Node against the admin port's /healthz", () => {
    const healthcheck = one(final, "HEALTHCHECK").args;
    const command = JSON.parse(healthcheck.slice(healthcheck.indexOf("CMD ") + 4));
    expect(command).toEqual(["node", "/app/healthcheck.mjs", "/healthz"]);
  });

  it("keeps built output and installs out of the build context", () => {
    const ignored = readRepoFile(".dockerignore").split("\n");
    for (const entry of ["**/node_modules", "**/dist", ".git", "infra/compose/.env"]) {
      expect(ignored).toContain(entry);
    }
  });
});
