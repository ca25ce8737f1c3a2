import { probe } from "@switchyard/policy";
import { expect, it } from "vitest";

it("resolves workspace sources", () => {
  expect(probe({ pathPattern: "/x" })).toBe("/x");
});
