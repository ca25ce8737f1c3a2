import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { describe, expect, it } from "vitest";
import {
  infraDir,
  type K8sObject,
  kubectl,
  overlays,
  parseYamlDocuments,
  renderOverlay,
} from "./infra-files.js";

/**
 * The Kubernetes manifests: every YAML parses; every overlay renders with kustomize (`kubectl
 * kustomize`, skipped where kubectl is not installed) into objects that validate against the
 * Kubernetes JSON schemas (kubernetes-models) and refer to each other consistently; the worker's
 * network policy keeps it away from Postgres; its shutdown fits its grace period.
 */

/** The schema of every kind the manifests may use; another kind fails until it is added here. */
const SCHEMAS: Record<string, new (data: never) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "v1/ConfigMap": ConfigMap,
  "v1/Namespace": Namespace,
  "v1/Secret": Secret,
  "v1/Service": Service,
};

/**
 * How long a worker may take after SIGTERM (apps/worker/src/start-worker.ts: requests in flight
 * get `shutdownGraceMs`, default 10 s; then 1 s for the upstream pools) plus leaving the fleet
 * and closing Redis (a few hundred ms). The control plane's shutdown grace is 10 s as well.
 */
const DRAIN_SECONDS = 12;

const k8sDir = join(infraDir, "k8s");
const kubectlPath = kubectl();

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

/**
 * kustomize folds a long Secret value's base64 over several lines; the API server's decoder
 * (Go's encoding/base64) skips line breaks, the schema's `byte` format does not.
 */
function withoutLineBreaks(object: K8sObject): K8sObject {
  if (object.kind !== "Secret" || !object["data"]) return object;
  const data = Object.fromEntries(
    Object.entries(object["data"] as Record<string, string>).map(([k, v]) => [
      k,
      v.replace(/\s/g, ""),
    ]),
  );
  return { ...object, data };
}

const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

const podTemplates = (objects: readonly K8sObject[]) =>
  objects.filter((o) => o.kind === "Deployment");

// biome-ignore lint/suspicious/noExplicitAny: containers as parsed from YAML
const containersOf = (deployment: K8sObject): any[] => deployment["spec"].template.spec.containers;

const portNames = (deployment: K8sObject) =>
  new Set(
    containersOf(deployment).flatMap((c) => (c.ports ?? []).map((p: { name: string }) => p.name)),
  );

describe("every manifest", () => {
  it.each(yamlFiles(k8sDir).map((path) => [path.slice(infraDir.length + 1), path]))(
    "%s parses as YAML, each document with apiVersion, kind and a name",
    (_, path) => {
      for (const doc of parseYamlDocuments(readFileSync(path, "utf8"), path)) {
        const object = doc as K8sObject;
        expect(object.apiVersion, path).toBeTruthy();
        expect(object.kind, path).toBeTruthy();
        if (object.kind !== "Kustomization") expect(object.metadata?.name, path).toBeTruthy();
      }
    },
  );

  it.each(["base", ...overlays().map((o) => `overlays/${o}`)])(
    "%s/kustomization.yaml names resources and patches that exist",
    (dir) => {
      const file = join(k8sDir, dir, "kustomization.yaml");
      const [kustomization] = parseYamlDocuments(readFileSync(file, "utf8"), file) as K8sObject[];
      const paths: string[] = [
        ...(kustomization!["resources"] ?? []),
        ...(kustomization!["patches"] ?? []).flatMap((p: { path?: string }) =>
          p.path ? [p.path] : [],
        ),
      ];
      expect(paths.length).toBeGreaterThan(0);
      for (const path of paths)
        expect(existsSync(join(dirname(file), path)), `${dir}: ${path}`).toBe(true);
    },
  );
});

describe.skipIf(kubectlPath === undefined).each(overlays())("overlay %s, rendered", (overlay) => {
  const objects = renderOverlay(kubectlPath!, overlay);
  const of = (kind: string) => objects.filter((o) => o.kind === kind);
  const deployments = podTemplates(objects);
  const switchyard = deployments.filter((d) =>
    containersOf(d).some((c) => String(c.image).includes("switchyard")),
  );

  it("has the control plane, the workers and their Services, budgets, autoscaler and policies", () => {
    const names = new Set(objects.map((o) => `${o.kind}/${o.metadata.name}`));
    for (const name of [
      "Deployment/switchyard-control-plane",
      "Deployment/switchyard-worker",
      "Service/switchyard-control-plane",
      "Service/switchyard-worker",
      "PodDisruptionBudget/switchyard-worker",
      "HorizontalPodAutoscaler/switchyard-worker",
      "NetworkPolicy/switchyard-worker",
      "NetworkPolicy/switchyard-control-plane",
      "ConfigMap/switchyard-worker",
      "ConfigMap/switchyard-control-plane",
    ]) {
      expect(names, name).toContain(name);
    }
  });

  it.each(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o] as const))(
    "%s validates against the Kubernetes schema",
    (_, object) => {
      const Model = SCHEMAS[`${object.apiVersion}/${object.kind}`];
      expect(Model, `no schema for ${object.apiVersion} ${object.kind}`).toBeDefined();
      expect(() => new Model!(withoutLineBreaks(object) as never).validate()).not.toThrow();
    },
  );

  it("every Deployment's selector matches its Pod labels, and its probes name its ports", () => {
    for (const d of deployments) {
      expect(
        matches(d["spec"].selector.matchLabels, d["spec"].template.metadata.labels),
        d.metadata.name,
      ).toBe(true);
      const ports = portNames(d);
      for (const c of containersOf(d)) {
        for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
          const port = probe?.httpGet?.port;
          if (port !== undefined)
            expect(ports, `${d.metadata.name}: probe port ${port}`).toContain(port);
        }
      }
    }
  });

  it("every Service selects a Deployment's Pods and targets ports they have", () => {
    for (const service of of("Service")) {
      const target = deployments.find((d) =>
        matches(service["spec"].selector, d["spec"].template.metadata.labels),
      );
      expect(target, `Service ${service.metadata.name} selects no Deployment`).toBeDefined();
      for (const port of service["spec"].ports) {
        expect(
          portNames(target!),
          `Service ${service.metadata.name}: ${port.targetPort}`,
        ).toContain(port.targetPort);
      }
    }
  });

  it("every budget, autoscaler and policy points at a Deployment", () => {
    for (const pdb of of("PodDisruptionBudget")) {
      const selector = pdb["spec"].selector.matchLabels;
      expect(
        deployments.some((d) => matches(selector, d["spec"].template.metadata.labels)),
        pdb.metadata.name,
      ).toBe(true);
    }
    for (const hpa of of("HorizontalPodAutoscaler")) {
      const ref = hpa["spec"].scaleTargetRef;
      expect(
        deployments.map((d) => d.metadata.name),
        hpa.metadata.name,
      ).toContain(ref.name);
      expect(ref.kind).toBe("Deployment");
      expect(hpa["spec"].minReplicas).toBeLessThanOrEqual(hpa["spec"].maxReplicas);
    }
    for (const policy of of("NetworkPolicy")) {
      const target = deployments.find((d) =>
        matches(policy["spec"].podSelector.matchLabels, d["spec"].template.metadata.labels),
      );
      expect(target, `NetworkPolicy ${policy.metadata.name} selects no Deployment`).toBeDefined();
      for (const rule of policy["spec"].ingress ?? []) {
        for (const port of rule.ports ?? []) {
          if (typeof port.port === "string")
            expect(portNames(target!), policy.metadata.name).toContain(port.port);
        }
      }
    }
  });

  it("a worker may reach DNS, Redis and public upstreams, never Postgres or private addresses", () => {
    const [policy] = of("NetworkPolicy").filter((p) => p.metadata.name === "switchyard-worker");
    expect(policy!["spec"].policyTypes).toContain("Egress");
    for (const rule of policy!["spec"].egress) {
      const ports: number[] = (rule.ports ?? []).map((p: { port: number }) => p.port);
      expect(ports).not.toContain(5432);
      if (rule.to === undefined) {
        // Open to every destination: only on the ports of DNS and Redis.
        expect(ports.length, "an egress rule open on every port and destination").toBeGreaterThan(
          0,
        );
        for (const port of ports) expect([53, 6379]).toContain(port);
        continue;
      }
      for (const peer of rule.to) {
        expect(peer.podSelector, "a worker egress rule selects Pods").toBeUndefined();
        expect(peer.namespaceSelector, "a worker egress rule selects namespaces").toBeUndefined();
        const except: string[] = peer.ipBlock.except ?? [];
        if (peer.ipBlock.cidr === "0.0.0.0/0") {
          for (const range of ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"]) {
            expect(except).toContain(range);
          }
        } else {
          expect(peer.ipBlock.cidr).toBe("::/0");
          expect(except).toContain("fc00::/7");
        }
      }
    }
  });

  it("the control plane may reach Postgres and Redis", () => {
    const [policy] = of("NetworkPolicy").filter(
      (p) => p.metadata.name === "switchyard-control-plane",
    );
    const ports = policy!["spec"].egress.flatMap((rule: { ports?: { port: number }[] }) =>
      (rule.ports ?? []).map((p) => p.port),
    );
    expect(ports).toEqual(expect.arrayContaining([53, 5432, 6379]));
  });

  it("a Pod's preStop pause and its drain fit in its termination grace period", () => {
    for (const d of switchyard) {
      const spec = d["spec"].template.spec;
      for (const c of containersOf(d)) {
        const command: string[] = c.lifecycle?.preStop?.exec?.command ?? [];
        expect(command[0], `${d.metadata.name}: preStop`).toBe("sleep");
        const pause = Number(command[1]);
        expect(pause).toBeGreaterThan(0);
        expect(spec.terminationGracePeriodSeconds, d.metadata.name).toBeGreaterThan(
          pause + DRAIN_SECONDS,
        );
      }
    }
  });

  it("Switchyard Pods run as the image's non-root user on a read-only root file system", () => {
    for (const d of switchyard) {
      const spec = d["spec"].template.spec;
      expect(spec.securityContext.runAsNonRoot, d.metadata.name).toBe(true);
      expect(spec.securityContext.runAsUser).toBe(1000);
      for (const c of containersOf(d)) {
        expect(c.securityContext.readOnlyRootFilesystem, d.metadata.name).toBe(true);
        const mounts = (c.volumeMounts ?? []).map((m: { mountPath: string }) => m.mountPath);
        // SWITCHYARD_DATA_DIR in the image: the worker's snapshot, PGlite when no Postgres is set.
        expect(mounts, d.metadata.name).toContain("/var/lib/switchyard");
      }
    }
  });
});
