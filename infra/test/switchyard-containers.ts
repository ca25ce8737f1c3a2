import { randomBytes } from "node:crypto";
import { parseControlPlaneEnv } from "@switchyard/control-plane";
import { type Component, settingsReadBy } from "@switchyard/settings";
import { parseWorkerEnv } from "@switchyard/worker";
import { envFileKeys, exampleSecrets, type K8sObject, readRepoFile } from "./infra-files.js";

/**
 * What the admin port of a worker and of the control plane serves (image-runtime.test.ts asks
 * the real servers for each, and for a path outside it).
 */
export const ADMIN_PATHS = ["/healthz", "/readyz", "/metrics"] as const;

/** The servers one image runs, by the command's first word. */
export type ServerCommand = "worker" | "control-plane";

/** What a server takes from its settings: the ports it listens on, by the name of their use. */
export interface ServerPorts {
  readonly proxy?: number;
  readonly api?: number;
  readonly admin: number;
}

/** The default ports (DESIGN.md §2), read from the apps' own parsers with only a keyring set. */
export function defaultPorts(command: ServerCommand): ServerPorts {
  return serverPorts(command, {
    SWITCHYARD_ENCRYPTION_KEYS: exampleSecrets()["SWITCHYARD_ENCRYPTION_KEYS"]!,
  });
}

/**
 * Parses `env` with the app's own settings parser, exactly as `switchyard <command>` does (an
 * unknown SWITCHYARD_* name, a bad value or a missing keyring throws, naming the setting), and
 * returns the ports it would listen on.
 */
export function serverPorts(command: ServerCommand, env: Record<string, string>): ServerPorts {
  if (command === "worker") {
    const config = parseWorkerEnv(env);
    return { proxy: config.proxyPort, admin: config.adminPort };
  }
  const config = parseControlPlaneEnv(env);
  return { api: config.apiPort, admin: config.adminPort };
}

/** The settings `command` reads, from the settings package's own table. */
export function settingsOf(command: ServerCommand): ReadonlySet<string> {
  const component: Component = command;
  return new Set(settingsReadBy(component));
}

/** The command of a container or compose service running the Switchyard image, or undefined. */
export function serverCommand(args: unknown): ServerCommand | undefined {
  const first = Array.isArray(args) ? args[0] : undefined;
  return first === "worker" || first === "control-plane" ? first : undefined;
}

/** The keys operators put in production's Secret `switchyard-secrets`. */
export function productionSecretKeys(): Set<string> {
  return new Set(envFileKeys(readRepoFile("infra/k8s/overlays/production/secrets.env.example")));
}

/**
 * The environment a container of a rendered overlay gets: its ConfigMaps (envFrom) and env
 * entries, secret values taken from the rendered Secret, or for a Secret created out of band
 * (production) from well-formed test values for the keys its secrets.env.example lists.
 */
export function containerEnv(
  // biome-ignore lint/suspicious/noExplicitAny: a container as parsed from YAML
  container: any,
  objects: readonly K8sObject[],
): Record<string, string> {
  const env: Record<string, string> = {};
  const byKind = (kind: string, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata.name === name);
  for (const from of container.envFrom ?? []) {
    const name = from.configMapRef?.name;
    const map = byKind("ConfigMap", name);
    if (!map) throw new Error(`${container.name}: envFrom names ConfigMap ${name}, not rendered`);
    Object.assign(env, map["data"]);
  }
  const secrets = exampleSecrets();
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) {
      env[entry.name] = String(entry.value);
      continue;
    }
    const ref = entry.valueFrom?.secretKeyRef;
    if (!ref)
      throw new Error(`${container.name}: ${entry.name} has neither value nor secretKeyRef`);
    const secret = byKind("Secret", ref.name);
    if (secret) {
      const encoded = secret["data"]?.[ref.key];
      if (encoded === undefined) throw new Error(`Secret ${ref.name} has no key ${ref.key}`);
      env[entry.name] = Buffer.from(encoded, "base64").toString("utf8");
    } else {
      if (ref.name !== "switchyard-secrets" || !productionSecretKeys().has(ref.key)) {
        throw new Error(
          `${container.name}: ${entry.name} reads Secret ${ref.name} key ${ref.key}, neither rendered nor in overlays/production/secrets.env.example`,
        );
      }
      env[entry.name] = secrets[ref.key] ?? randomBytes(16).toString("hex");
    }
  }
  return env;
}
