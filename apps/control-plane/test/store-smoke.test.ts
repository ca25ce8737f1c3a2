import { create } from "@bufbuild/protobuf";
import { ProjectSchema } from "@switchyard/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../src/store/store.js";
import { backends, createLocation, ctx, type StoreLocation } from "./store-fixture.js";

describe.each(backends)("smoke on $backend", ({ backend, skip }) => {
  describe.skipIf(skip)("store", () => {
    let location: StoreLocation;
    let store: Store;
    beforeAll(async () => {
      location = await createLocation(backend);
      store = await location.open();
    });
    afterAll(async () => {
      await store?.close();
      await location?.remove();
    });
    it("creates a project", async () => {
      const p = await store.projects.create(ctx, create(ProjectSchema, { name: "shop" }));
      expect(p.id).toMatch(/^prj_[a-z2-7]{16}$/);
      expect((await store.revision()).revision).toBe(1n);
      const snap = await store.snapshot();
      expect(snap.projects.map((x) => x.name)).toEqual(["shop"]);
    });
  });
});
