import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { PGlite } from "@electric-sql/pglite";
import { describe, expect, it } from "vitest";
import { createPgliteDir } from "./pglite-dir.js";

describe("createPgliteDir", () => {
  it("gives initialised, independent copies that PGlite opens", async () => {
    const [a, b] = await Promise.all([createPgliteDir(), createPgliteDir()]);
    try {
      expect(a.dir).not.toBe(b.dir);
      expect(a.dir.startsWith(tmpdir())).toBe(true);
      // Already initialised: PG_VERSION is written by initdb.
      expect(existsSync(`${a.dir}/PG_VERSION`)).toBe(true);

      const dbA = new PGlite(a.dir);
      await dbA.exec("CREATE TABLE rules (id int); INSERT INTO rules VALUES (7)");
      await dbA.close();

      const dbB = new PGlite(b.dir);
      const inB = await dbB.query<{ t: string | null }>("SELECT to_regclass('rules') AS t");
      expect(inB.rows[0]!.t).toBeNull();
      await dbB.close();

      // The template itself was not touched: a new copy is empty again.
      const c = await createPgliteDir();
      const dbC = new PGlite(c.dir);
      const inC = await dbC.query<{ t: string | null }>("SELECT to_regclass('rules') AS t");
      expect(inC.rows[0]!.t).toBeNull();
      await dbC.close();
      await c.remove();
    } finally {
      await Promise.all([a.remove(), b.remove()]);
    }
    expect(existsSync(a.dir)).toBe(false);
  });
});
