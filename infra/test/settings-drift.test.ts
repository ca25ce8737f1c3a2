import { SWITCHYARD_SETTINGS } from "@switchyard/settings";
import { describe, expect, it } from "vitest";
import { readDockerfile } from "./dockerfile-rules.js";
import {
  deploymentFiles,
  exampleSecrets,
  type K8sObject,
  kubectl,
  overlays,
  readCompose,
  readRepoFile,
  renderOverlay,
} from "./infra-files.js";
import {
  ADMIN_PATHS,
  containerEnv,
  defaultPorts,
  type ServerCommand,
  serverCommand,
  serverPorts,
  settingsOf,
} from "./switchyard-containers.js";

/**
 * The drift guard: what the deployment files say about Switchyard matches what the apps do.
 * Every SWITCHYARD_* name in infra/** (infra/lb/** included) and docs/deploy.md is a setting of
 * packages/settings; every environment a manifest gives a server passes that server's own
 * settings parser and holds only settings it reads; every port is the one the server listens
 * on; every probe path is one the admin servers serve (image-runtime.test.ts asks the real
 * servers for each of them).
 */

const known = new Set(Object.keys(SWITCHYARD_SETTINGS));

/** `SWITCHYARD_NAME` tokens of a text, with their line numbers. */
function settingNames(text: string): { name: string; line: number }[] {
  return text.split("\n").flatMap((line, i) =>
    [...line.matchAll(/\bSWITCHYARD_[A-Z0-9]+(?:_[A-Z0-9]+)*\b/g)].map((m) => ({
      name: m[0],
      line: i + 1,
    })),
  );
}

describe("setting names", () => {
  const files = deploymentFiles();

  it("are looked for in every deployment file, infra/lb included when it exists", () => {
    expect(files).toContain("docs/deploy.md");
    expect(files).toContain("infra/k8s/base/config.yaml");
    expect(files).toContain("infra/compose/docker-compose.yml");
    expect(files.some((f) => f.startsWith("infra/lb/"))).toBe(true);
    expect(files.some((f) => f.startsWith("infra/test/") || f.includes("node_modules"))).toBe(
      false,
    );
  });

  it.each(files)("in %s are all settings of packages/settings", (file) => {
    const unknown = settingNames(readRepoFile(file))
      .filter(({ name }) => !known.has(name))
      .map(({ name, line }) => `${file}:${line}: ${name}`);
    expect(unknown).toEqual([]);
  });

  it("are found, and an unknown one is caught", () => {
    expect(
      settingNames("env SWITCHYARD_REDIS_URL and SWITCHYARD_BOGUS").map((n) => n.name),
    ).toEqual(["SWITCHYARD_REDIS_URL", "SWITCHYARD_BOGUS"]);
    expect(known.has("SWITCHYARD_BOGUS")).toBe(false);
  });
});

/** One Switchyard container of a rendered overlay or a compose service. */
interface Server {
  readonly where: string;
  readonly command: ServerCommand;
  readonly env: Record<string, string>;
  /** Container port names to numbers (Kubernetes), or none (compose). */
  readonly ports: Record<string, number>;
  // biome-ignore lint/suspicious/noExplicitAny: as parsed from YAML
  readonly container: any;
  readonly pod?: K8sObject;
}

function kubernetesServers(overlay: string, objects: readonly K8sObject[]): Server[] {
  return objects
    .filter((o) => o.kind === "Deployment")
    .flatMap((d) =>
      // biome-ignore lint/suspicious/noExplicitAny: as parsed from YAML
      d["spec"].template.spec.containers.flatMap((container: any) => {
        const command = serverCommand(container.args);
        if (command === undefined) return [];
        const ports = Object.fromEntries(
          (container.ports ?? []).map((p: { name: string; containerPort: number }) => [
            p.name,
            p.containerPort,
          ]),
        );
        const env = containerEnv(container, objects);
        return [
          { where: `${overlay}: ${d.metadata.name}`, command, env, ports, container, pod: d },
        ];
      }),
    );
}

/** `${VAR}`, `${VAR:?message}` and `${VAR:-default}` as compose resolves them, with test values. */
function interpolate(value: string): string {
  const values: Record<string, string> = { ...exampleSecrets() };
  return value.replace(
    /\$\{([A-Z_]+)(?::[?-]([^}]*))?\}/g,
    (_, name: string, fallback?: string) => {
      return values[name] ?? fallback ?? "";
    },
  );
}

function composeServers(): Server[] {
  return Object.entries(readCompose().services).flatMap(([name, service]) => {
    const command = serverCommand(service.command);
    if (command === undefined) return [];
    const env = Object.fromEntries(
      Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]),
    );
    return [{ where: `compose: ${name}`, command, env, ports: {}, container: service }];
  });
}

const kubectlPath = kubectl();
const servers: Server[] = [
  ...composeServers(),
  ...(kubectlPath
    ? overlays().flatMap((o) => kubernetesServers(o, renderOverlay(kubectlPath, o)))
    : []),
];

describe("the environment of every server", () => {
  it("is found in compose and, with kubectl, in every overlay", () => {
    const commands = servers.map((s) => `${s.where.split(":")[0]} ${s.command}`);
    expect(commands).toContain("compose worker");
    expect(commands).toContain("compose control-plane");
    if (kubectlPath) {
      for (const overlay of overlays()) {
        expect(commands).toContain(`${overlay} worker`);
        expect(commands).toContain(`${overlay} control-plane`);
      }
    }
  });

  it.each(servers.map((s) => [s.where, s] as const))(
    "%s passes the server's own settings parser",
    (_, server) => {
      expect(() => serverPorts(server.command, server.env)).not.toThrow();
    },
  );

  it.each(servers.map((s) => [s.where, s] as const))(
    "%s holds only settings that server reads",
    (_, server) => {
      const reads = settingsOf(server.command);
      const extra = Object.keys(server.env).filter(
        (name) => name.startsWith("SWITCHYARD_") && !reads.has(name),
      );
      expect(extra).toEqual([]);
      if (server.command === "worker")
        expect(server.env).not.toHaveProperty("SWITCHYARD_DATABASE_URL");
    },
  );
});

describe.skipIf(kubectlPath === undefined)("Kubernetes ports and probes", () => {
  const pods = servers.filter((s) => s.pod !== undefined);

  it.each(pods.map((s) => [s.where, s] as const))(
    "%s: container ports are the ones it listens on",
    (_, server) => {
      const listens = serverPorts(server.command, server.env);
      expect(server.ports).toEqual(listens);
      expect(listens).toEqual(defaultPorts(server.command));
    },
  );

  it.each(pods.map((s) => [s.where, s] as const))(
    "%s: readiness is /readyz and liveness /healthz on the admin port",
    (_, server) => {
      expect(server.container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "admin" });
      expect(server.container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "admin" });
      const annotations = server.pod!["spec"].template.metadata.annotations;
      expect(annotations["prometheus.io/path"]).toBe("/metrics");
      expect(Number(annotations["prometheus.io/port"])).toBe(server.ports["admin"]);
    },
  );
});

describe("ports named outside the servers' environment", () => {
  const worker = defaultPorts("worker");
  const controlPlane = defaultPorts("control-plane");

  it("are 8080, 8081, 9090 and 9091 by default (DESIGN.md §2)", () => {
    expect(worker).toEqual({ proxy: 8080, admin: 9090 });
    expect(controlPlane).toEqual({ api: 8081, admin: 9091 });
  });

  it("the Dockerfile exposes every default port", () => {
    const instructions = readDockerfile(readRepoFile("infra/docker/Dockerfile"));
    const exposed = instructions
      .filter((i) => i.keyword === "EXPOSE")
      .flatMap((i) => i.args.split(/\s+/).map(Number));
    expect(exposed.sort()).toEqual(
      [worker.proxy!, controlPlane.api!, worker.admin, controlPlane.admin].sort(),
    );
  });

  it("the image's healthcheck asks the default admin ports, worker first", () => {
    const script = readRepoFile("infra/docker/healthcheck.mjs");
    expect(script).toContain(`[${worker.admin}, ${controlPlane.admin}]`);
    expect(script).toContain('"/healthz"');
  });

  it("compose publishes the control plane's API and sends nginx to the workers' proxy port", () => {
    const compose = readRepoFile("infra/compose/docker-compose.yml");
    expect(compose).toContain(`"${controlPlane.api}:${controlPlane.api}"`);
    const upstreams = readRepoFile("infra/compose/nginx/workers.conf").match(/^server \S+/gm) ?? [];
    expect(upstreams.length).toBe(3);
    for (const line of upstreams) expect(line).toMatch(new RegExp(`:${worker.proxy}$`));
  });

  it("every load balancer sends to the workers' proxy port and probes their admin port", () => {
    const configs = deploymentFiles().filter(
      (f) => f.startsWith("infra/lb/") || f.startsWith("infra/compose/nginx/"),
    );
    const servers = configs.flatMap((file) =>
      readRepoFile(file)
        .split("\n")
        .filter((line) => /^\s*server\s+[^{\s]/.test(line))
        .map((line) => ({ file, line: line.trim() })),
    );
    expect(servers.length).toBeGreaterThan(0);
    for (const { file, line } of servers) {
      // nginx: `server host:port …`; HAProxy: `server name host:port … check port N`.
      const address = line.split(/\s+/).find((token) => /^[\w.[\]-]+:\d+;?$/.test(token));
      expect(address, `${file}: ${line}`).toBeDefined();
      expect(Number(address!.replace(";", "").split(":").pop()), `${file}: ${line}`).toBe(
        worker.proxy,
      );
      const probe = /\bcheck port (\d+)/.exec(line)?.[1];
      if (probe !== undefined) expect(Number(probe), `${file}: ${line}`).toBe(worker.admin);
    }
  });

  it("every admin path a deployment file names is one the admin servers serve", () => {
    const named = deploymentFiles().flatMap((file) =>
      [
        ...readRepoFile(file).matchAll(
          /(?<![\w.])\/(healthz|readyz|livez|health|ready|metrics)\b/g,
        ),
      ].map((m) => `${file}: ${m[0]}`),
    );
    expect(named.length).toBeGreaterThan(0);
    const unknown = named.filter((n) => !ADMIN_PATHS.some((path) => n.endsWith(`: ${path}`)));
    expect(unknown).toEqual([]);
  });
});
