import type { Interceptor, Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { createSwitchyardClient, Role, type SwitchyardClient } from "@switchyard/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, startTestControlPlane, type TestControlPlane } from "./server-fixture.js";

let cp: TestControlPlane;
beforeAll(async () => {
  cp = await startTestControlPlane();
});
afterAll(() => cp?.stop());

const bearer: Interceptor = (next) => (request) => {
  request.header.set("authorization", `Bearer ${ADMIN_TOKEN}`);
  return next(request);
};

const transports: [string, (baseUrl: string) => Transport][] = [
  [
    "Connect",
    (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1", interceptors: [bearer] }),
  ],
  [
    "gRPC-Web",
    (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1", interceptors: [bearer] }),
  ],
  ["gRPC", (baseUrl) => createGrpcTransport({ baseUrl, interceptors: [bearer] })],
];

/** Calls `rpc` and returns its result with the `switchyard-revision` header it answered. */
async function withRevision<T>(
  rpc: (options: { onHeader: (header: Headers) => void }) => Promise<T>,
): Promise<{ value: T; revision: string | null }> {
  let revision: string | null = null;
  const value = await rpc({ onHeader: (header) => (revision = header.get("switchyard-revision")) });
  return { value, revision };
}

describe.each(transports)("switchyard-revision over %s", (_name, transport) => {
  let api: SwitchyardClient;
  beforeAll(() => {
    api = createSwitchyardClient(transport(cp.controlPlane.apiUrl));
  });
  const storeRevision = async () => `${(await cp.controlPlane.store.revision()).revision}`;

  /** Runs a config write and checks its header is the revision it committed. */
  async function committed<T>(
    rpc: (options: { onHeader: (h: Headers) => void }) => Promise<T>,
  ): Promise<T> {
    const before = await storeRevision();
    const { value, revision } = await withRevision(rpc);
    const after = await storeRevision();
    expect(after).toBe(`${BigInt(before) + 1n}`);
    expect(revision).toBe(after);
    return value;
  }

  it("carries the committed revision on every config write", async () => {
    const suffix = Math.random().toString(36).slice(2, 8);
    const { project } = await committed((o) =>
      api.projects.createProject({ project: { name: `p-${suffix}` } }, o),
    );
    await committed((o) =>
      api.projects.updateProject(
        { project: { ...project!, description: "d" }, updateMask: { paths: ["description"] } },
        o,
      ),
    );
    const { alias } = await committed((o) =>
      api.projects.createAlias({ alias: { projectId: project!.id, name: "prod" } }, o),
    );
    await committed((o) =>
      api.projects.updateAlias(
        {
          alias: { ...alias!, inheritProjectRules: true },
          updateMask: { paths: ["inherit_project_rules"] },
        },
        o,
      ),
    );
    const { domain } = await committed((o) =>
      api.projects.createDomain(
        { domain: { projectId: project!.id, host: `${suffix}.example.com` } },
        o,
      ),
    );
    await committed((o) =>
      api.projects.updateDomain(
        { domain: { ...domain!, aliasId: alias!.id }, updateMask: { paths: ["alias_id"] } },
        o,
      ),
    );
    const rule = async () =>
      (
        await committed((o) =>
          api.rules.createRule(
            {
              rule: {
                projectId: project!.id,
                pathPattern: "/a/*",
                targetUrl: "https://a.example.com",
              },
            },
            o,
          ),
        )
      ).rule!;
    const first = await rule();
    const second = await rule();
    await committed((o) =>
      api.rules.updateRule(
        { rule: { ...first, description: "x" }, updateMask: { paths: ["description"] } },
        o,
      ),
    );
    await committed((o) =>
      api.rules.reorderRules({ projectId: project!.id, ruleIds: [second.id, first.id] }, o),
    );
    await committed((o) => api.rules.deleteRule({ id: second.id }, o));
    await committed((o) => api.projects.deleteDomain({ id: domain!.id }, o));
    await committed((o) => api.projects.deleteAlias({ id: alias!.id, force: true }, o));
    await committed((o) => api.projects.deleteProject({ id: project!.id, force: true }, o));
  });

  it("is absent from reads, from token writes (no config revision) and from failed writes", async () => {
    expect((await withRevision((o) => api.projects.listProjects({}, o))).revision).toBeNull();
    const { value, revision } = await withRevision((o) =>
      api.tokens.createToken({ token: { name: "ci", role: Role.VIEWER } }, o),
    );
    expect(revision).toBeNull();
    expect(
      (await withRevision((o) => api.tokens.deleteToken({ id: value.token!.id }, o))).revision,
    ).toBeNull();
    let header: string | null = "unset";
    await expect(
      api.rules.deleteRule(
        { id: "rul_aaaaaaaaaaaaaaaa" },
        { onHeader: (h) => (header = h.get("switchyard-revision")) },
      ),
    ).rejects.toThrow();
    expect(header === null || header === "unset").toBe(true);
  });
});
