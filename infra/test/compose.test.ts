import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type ComposeService,
  envFileKeys,
  infraDir,
  readCompose,
  readRepoFile,
} from "./infra-files.js";

/**
 * infra/compose/docker-compose.yml: every service has a health check and waits for the health
 * of what it depends on, every mounted file exists, images are pinned, secrets come from the
 * git-ignored .env only; and the nginx configuration it mounts passes `nginx -t` (where nginx is
 * installed).
 */

const composeDir = join(infraDir, "compose");
const compose = readCompose();
const services = Object.entries(compose.services);

/** The settings that are secrets: compose takes them from .env, never from the file itself. */
const SECRETS = ["SWITCHYARD_ENCRYPTION_KEYS", "SWITCHYARD_ADMIN_TOKEN", "POSTGRES_PASSWORD"];

describe("docker-compose.yml", () => {
  it("runs Postgres, Redis, one control plane, three workers and nginx", () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ["control-plane", "nginx", "postgres", "redis", "worker-1", "worker-2", "worker-3"].sort(),
    );
    for (const name of ["worker-1", "worker-2", "worker-3"]) {
      expect(compose.services[name]?.command?.[0]).toBe("worker");
    }
    expect(compose.services["control-plane"]?.command).toEqual(["control-plane"]);
  });

  it.each(services)("%s has a health check in exec form", (_, service) => {
    expect(service.healthcheck?.test?.[0]).toBe("CMD");
    expect(service.healthcheck?.test.length).toBeGreaterThan(1);
  });

  it.each(services.filter(([, s]) => s.depends_on))(
    "%s waits for the health of every service it depends on",
    (_, service) => {
      for (const [name, dependency] of Object.entries(service.depends_on ?? {})) {
        expect(compose.services[name], `depends on ${name}`).toBeDefined();
        expect(dependency.condition, name).toBe("service_healthy");
        expect(compose.services[name]?.healthcheck, name).toBeDefined();
      }
    },
  );

  it("checks worker and control-plane readiness with the image's healthcheck script", () => {
    for (const [name, service] of services.filter(
      ([n]) => n === "control-plane" || n.startsWith("worker"),
    )) {
      expect(service.healthcheck?.test, name).toEqual([
        "CMD",
        "node",
        "/app/healthcheck.mjs",
        "/readyz",
      ]);
    }
  });

  it.each(services)("%s mounts only files and folders that exist", (_, service) => {
    for (const volume of service.volumes ?? []) {
      const source = typeof volume === "string" ? volume.split(":")[0]! : volume.source;
      if (source === undefined || !source.startsWith(".")) continue; // named volume or tmpfs
      expect(existsSync(join(composeDir, source)), source).toBe(true);
    }
  });

  it("builds the image from infra/docker/Dockerfile", () => {
    const build = compose.services["control-plane"]?.build;
    expect(build).toBeDefined();
    expect(existsSync(join(composeDir, build!.context, build!.dockerfile))).toBe(true);
  });

  it.each(services)("%s uses a pinned image tag", (_, service) => {
    const tag = String(service.image).split(":")[1];
    expect(tag, service.image).toBeTruthy();
    expect(tag).not.toBe("latest");
  });

  it("takes every secret from .env, which git ignores, and .env.example holds placeholders only", () => {
    for (const [name, service] of services) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (SECRETS.includes(key))
          expect(value, `${name}: ${key}`).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
      }
    }
    expect(readRepoFile("infra/compose/.gitignore").split("\n")).toContain(".env");
    const example = readRepoFile("infra/compose/.env.example");
    expect(envFileKeys(example).sort()).toEqual([...SECRETS].sort());
    for (const line of example.split("\n").filter((l) => /^[A-Z_]+=/.test(l))) {
      expect(line).toContain("REPLACE_WITH");
    }
  });

  it("gives the servers time to drain before it kills them", () => {
    const image = compose["x-switchyard-image"] as ComposeService;
    expect(image.stop_grace_period).toBe("30s");
    for (const name of ["control-plane", "worker-1", "worker-2", "worker-3"]) {
      expect(compose.services[name]?.stop_grace_period, name).toBe("30s");
    }
  });
});

function hasNginx(): boolean {
  try {
    execFileSync("nginx", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!hasNginx())("the nginx configuration compose mounts", () => {
  it("passes nginx -t with the compose fleet as its upstream", () => {
    const prefix = mkdtempSync(join(tmpdir(), "switchyard-nginx-"));
    try {
      cpSync(join(infraDir, "lb/nginx/nginx.conf"), join(prefix, "nginx.conf"));
      cpSync(join(composeDir, "nginx/conf.d"), join(prefix, "conf.d"), { recursive: true });
      // The compose service names resolve only inside compose's network.
      const workers = readFileSync(join(composeDir, "nginx/workers.conf"), "utf8");
      expect(workers).toMatch(/^server worker-1:8080 /m);
      writeFileSync(join(prefix, "workers.conf"), workers.replace(/worker-\d:/g, "127.0.0.1:"));
      execFileSync(
        "nginx",
        [
          "-t",
          "-q",
          "-p",
          prefix,
          "-c",
          join(prefix, "nginx.conf"),
          "-g",
          `pid ${join(prefix, "nginx.pid")}; error_log stderr;`,
        ],
        { stdio: "pipe" },
      );
    } finally {
      rmSync(prefix, { recursive: true, force: true });
    }
  });
});
