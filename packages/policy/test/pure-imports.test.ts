/**
 * @switchyard/policy is pure (DESIGN.md §1): its sources import nothing from Node and touch no
 * process state, so the control plane and the worker can share it and every branch is
 * testable as a table. This keeps it so.
 */
import { fileURLToPath } from "node:url";
import { checkPureSources } from "@switchyard/testkit";
import { expect, it } from "vitest";

it("policy sources import nothing from Node and read no process state", () => {
  const { files, impure } = checkPureSources(fileURLToPath(new URL("../src", import.meta.url)));
  expect(files.length).toBeGreaterThan(20);
  expect(impure).toEqual([]);
});
