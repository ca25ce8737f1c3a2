import { create, type JsonValue } from "@bufbuild/protobuf";
import { RuleSchema, SECRET_MASK } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { auditJson, redactSecrets } from "./redact.js";

describe("redactSecrets", () => {
  it.each([
    {
      desc: "a secret header's value and ciphertext",
      input: { name: "x", value: "plain", secret: true, encryptedValue: "k:abc" },
      output: { name: "x", value: SECRET_MASK, secret: true },
    },
    {
      desc: "a secret header with only ciphertext",
      input: { name: "x", secret: true, encryptedValue: "k:abc" },
      output: { name: "x", secret: true, value: SECRET_MASK },
    },
    {
      desc: "nothing of a plain header",
      input: { name: "x", value: "plain" },
      output: { name: "x", value: "plain" },
    },
    {
      desc: "nested in arrays",
      input: { add: [{ secret: true, value: "v" }, { value: "w" }] },
      output: { add: [{ secret: true, value: SECRET_MASK }, { value: "w" }] },
    },
    { desc: "scalars", input: 3, output: 3 },
  ])("redacts $desc", ({ input, output }) => {
    expect(redactSecrets(input as JsonValue)).toEqual(output);
  });
});

describe("auditJson", () => {
  it("gives a rule's JSON with its secrets masked", () => {
    const rule = create(RuleSchema, {
      id: "rul_1",
      headerConfig: {
        add: [
          { name: "x-key", value: "", encryptedValue: "k1:sealed", secret: true },
          { name: "x-plain", value: "v" },
        ],
      },
    });
    const json = auditJson(RuleSchema, rule);
    expect(json["id"]).toBe("rul_1");
    expect(JSON.stringify(json)).not.toContain("sealed");
    expect(json["headerConfig"]).toEqual({
      add: [
        { name: "x-key", value: SECRET_MASK, secret: true },
        { name: "x-plain", value: "v" },
      ],
    });
  });
});
