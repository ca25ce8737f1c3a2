import { SECRET_MASK } from "@switchyard/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseKeyring } from "../src/secrets/keyring.js";
import { StartupError } from "../src/server/startup-error.js";
import { clientOf, startTestControlPlane, storeBackends, testKeySpec } from "./server-fixture.js";

describe.each(storeBackends)("restart on the same %s store", (_, backend) => {
  let store: Awaited<ReturnType<typeof backend>>;
  const key = testKeySpec("k1");
  beforeAll(async () => {
    store = await backend();
  });
  afterAll(() => store?.drop());

  it("reads back what was written, at the same revision, secrets still sealed with the key", async () => {
    const env = { ...store.env, SWITCHYARD_ENCRYPTION_KEYS: key };
    const first = await startTestControlPlane({ env, pglite: store.pglite });
    let written: { projectId: string; ruleId: string; revision: bigint };
    try {
      const client = clientOf(first.controlPlane.apiUrl);
      const { project } = await client.projects.createProject({ project: { name: "persisted" } });
      const { rule } = await client.rules.createRule({
        rule: {
          projectId: project!.id,
          pathPattern: "/api/*",
          targetUrl: "https://api.example.com",
          headerConfig: {
            add: [{ name: "x-api-key", value: "kept-across-restarts", secret: true }],
          },
        },
      });
      const { revision } = await client.config.getConfigRevision({});
      expect(revision).toBeGreaterThan(0n);
      written = { projectId: project!.id, ruleId: rule!.id, revision };
    } finally {
      await first.stop();
    }

    const second = await startTestControlPlane({ env, pglite: store.pglite });
    try {
      const client = clientOf(second.controlPlane.apiUrl);
      expect((await client.config.getConfigRevision({})).revision).toBe(written.revision);
      const { project } = await client.projects.getProject({ id: written.projectId });
      expect(project!.name).toBe("persisted");
      const { rule } = await client.rules.getRule({ id: written.ruleId });
      expect(rule!.headerConfig!.add[0]).toMatchObject({ name: "x-api-key", value: SECRET_MASK });

      const readyz = await fetch(`${second.controlPlane.adminUrl}/readyz`);
      expect(await readyz.json()).toEqual({
        status: "ready",
        revision: written.revision.toString(),
      });
      const metrics = await (await fetch(`${second.controlPlane.adminUrl}/metrics`)).text();
      expect(metrics).toContain(`\nswitchyard_config_revision ${written.revision}\n`);

      // What workers receive decrypts with the same key.
      const snapshot = await second.controlPlane.store.snapshot();
      const sealed = snapshot.rules.find((r) => r.id === written.ruleId)!.headerConfig!.add[0]!;
      expect(parseKeyring(key).decrypt(sealed.encryptedValue)).toBe("kept-across-restarts");
    } finally {
      await second.stop();
    }
  });

  it("refuses to start with a keyring that lacks the key of stored secrets", async () => {
    const env = { ...store.env, SWITCHYARD_ENCRYPTION_KEYS: testKeySpec("k2") };
    const error = await startTestControlPlane({ env, pglite: store.pglite }).then(
      async (started) => {
        await started.stop();
        throw new Error("expected the control plane not to start");
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toMatch(
      /^SWITCHYARD_ENCRYPTION_KEYS: stored secrets use keys missing from the keyring: "k1"/,
    );
  });
});
