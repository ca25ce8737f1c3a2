import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The repository keeps a copy of ../shared/vectors (DESIGN.md §6) so a fresh clone can
// run them; where the shared folder exists, the copy must say the same thing. Files are
// compared as JSON, since the copy is formatted by the repository's formatter.
const repo = fileURLToPath(new URL("../../../", import.meta.url));
const copy = `${repo}test/vectors`;
const shared = `${repo}../shared/vectors`;

describe.skipIf(!existsSync(shared))("test/vectors matches ../shared/vectors", () => {
  const names = existsSync(shared) ? readdirSync(shared).filter((n) => n.endsWith(".json")) : [];

  it("has the same files", () => {
    expect(
      readdirSync(copy)
        .filter((n) => n.endsWith(".json"))
        .sort(),
    ).toEqual(names.sort());
  });

  it.each(names)("%s", (name) => {
    const read = (dir: string) => JSON.parse(readFileSync(`${dir}/${name}`, "utf8")) as unknown;
    expect(read(copy)).toEqual(read(shared));
  });
});
