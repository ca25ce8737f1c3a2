import { timestampMs } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../src/store/store.js";
import {
  backends,
  createLocation,
  newProject,
  newRule,
  openDb,
  type StoreLocation,
} from "./store-fixture.js";

// Workers rank rules of equal order by create_time (they never see revisions); the store by
// the revision that created them. Both must agree, even when the clock steps back.
describe.each(backends)("commit times on $backend", ({ backend, skip }) => {
  describe.skipIf(skip)("", () => {
    let location: StoreLocation;
    let store: Store;

    beforeAll(async () => {
      location = await createLocation(backend);
      await (await location.open()).close(); // migrated
      // The last commit happened "an hour from now": the machine's clock has since stepped back.
      const db = await openDb(location);
      await db.query("UPDATE config_revision SET update_time = now() + interval '1 hour'");
      await db.close();
      store = await location.open();
    });

    afterAll(async () => {
      await store?.close();
      await location?.remove();
    });

    it("give every revision a later time, in whole milliseconds", async () => {
      const project = await newProject(store);
      const first = await newRule(store, { projectId: project.id, order: 10 });
      const second = await newRule(store, { projectId: project.id, order: 10 });
      const [a, b] = [first, second].map((rule) => Math.floor(timestampMs(rule.createTime!)));
      expect(b).toBeGreaterThan(a!);
      expect(a).toBeGreaterThan(Date.now() + 59 * 60_000);
    });

    it("order rules of equal order by create time exactly as by revision", async () => {
      const project = await newProject(store);
      await Promise.all(
        Array.from({ length: 10 }, () => newRule(store, { projectId: project.id, order: 10 })),
      );
      const { items } = await store.rules.list({ projectId: project.id, pageSize: 100 });
      const times = items.map((rule) => Math.floor(timestampMs(rule.createTime!)));
      expect([...times].sort((x, y) => x - y)).toEqual(times);
      expect(new Set(times).size).toBe(times.length);
    });
  });
});
