/**
 * `switchyard dev` is a fleet of one: its worker heartbeats into the registry its control plane
 * reads, so fleet status lists it and a write's revision is confirmed once it serves it.
 */
import { createConnectTransport } from "@connectrpc/connect-node";
import { createSwitchyardClient } from "@switchyard/api";
import { createPgliteDir, type PgliteDir } from "@switchyard/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseDevSettings } from "../src/dev/dev-settings.js";
import { type Dev, startDev } from "../src/dev/start-dev.js";
import { devEnv } from "./dev-process.js";

const TOKEN = "dev-fleet-admin-token-0123";
let pglite: PgliteDir;
let dev: Dev | undefined;

beforeAll(async () => {
  pglite = await createPgliteDir();
  dev = await startDev(
    parseDevSettings({
      ...devEnv(pglite.dir),
      SWITCHYARD_ADMIN_TOKEN: TOKEN,
      SWITCHYARD_LOG_LEVEL: "silent",
    }),
  );
}, 60_000);
afterAll(async () => {
  await dev?.close();
  await pglite?.remove();
});

it("lists its one worker at the store's revision and confirms each write", async () => {
  const client = createSwitchyardClient(
    createConnectTransport({
      baseUrl: dev!.apiUrl,
      httpVersion: "1.1",
      interceptors: [
        (next) => (request) => {
          request.header.set("authorization", `Bearer ${TOKEN}`);
          return next(request);
        },
      ],
    }),
  );
  let revision = "";
  await client.projects.createProject(
    { project: { name: "web" } },
    { onHeader: (header) => (revision = header.get("switchyard-revision") ?? "") },
  );
  const waited = await client.config.waitForRevision({
    revision: BigInt(revision),
    timeoutMs: 2_000,
  });
  expect(waited.converged).toBe(true);
  const status = await client.config.getFleetStatus({});
  expect(status.revision).toBe(BigInt(revision));
  expect(status.workers).toHaveLength(1);
  expect(status.workers[0]).toMatchObject({
    pid: process.pid,
    revision: BigInt(revision),
    revisionsBehind: 0n,
    stale: false,
  });
  expect(status.workers[0]!.id).toMatch(/^dev-/);
});
