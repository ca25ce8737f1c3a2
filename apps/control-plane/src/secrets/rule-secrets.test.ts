import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { type HeaderValueSchema, RuleSchema, SECRET_MASK } from "@switchyard/api";
import { ValidationError } from "@switchyard/policy";
import { describe, expect, it } from "vitest";
import { generateKeySpec, parseKeyring } from "./keyring.js";
import { maskRuleSecrets, sealRuleSecrets } from "./rule-secrets.js";

const keyring = parseKeyring(generateKeySpec("k1"));
const rule = (add: MessageInitShape<typeof HeaderValueSchema>[]) =>
  create(RuleSchema, { id: "rul_1", headerConfig: { add } });

describe("sealRuleSecrets", () => {
  it("encrypts secret values and clears them", () => {
    const sealed = sealRuleSecrets(
      rule([{ name: "x-key", value: "s3cret", secret: true }]),
      undefined,
      keyring,
    );
    const header = sealed.headerConfig!.add[0]!;
    expect(header.value).toBe("");
    expect(header.encryptedValue).toMatch(/^k1:/);
    expect(keyring.decrypt(header.encryptedValue)).toBe("s3cret");
  });

  it("keeps plain values and drops any ciphertext sent with them", () => {
    const sealed = sealRuleSecrets(
      rule([{ name: "x-plain", value: "v", encryptedValue: "planted" }]),
      undefined,
      keyring,
    );
    expect(sealed.headerConfig!.add[0]).toMatchObject({ value: "v", encryptedValue: "" });
  });

  it("ignores ciphertext sent with a secret and encrypts the value", () => {
    const sealed = sealRuleSecrets(
      rule([{ name: "x-key", value: "new", secret: true, encryptedValue: "k1:planted" }]),
      undefined,
      keyring,
    );
    expect(keyring.decrypt(sealed.headerConfig!.add[0]!.encryptedValue)).toBe("new");
  });

  it("keeps the stored secret when the mask is written back, matching names case-insensitively", () => {
    const stored = sealRuleSecrets(
      rule([{ name: "X-Key", value: "old", secret: true }]),
      undefined,
      keyring,
    );
    const sealed = sealRuleSecrets(
      rule([{ name: "x-key", value: SECRET_MASK, secret: true }]),
      stored,
      keyring,
    );
    expect(sealed.headerConfig!.add[0]!.encryptedValue).toBe(
      stored.headerConfig!.add[0]!.encryptedValue,
    );
  });

  it.each([
    { desc: "on create", stored: undefined },
    {
      desc: "for another name",
      stored: rule([{ name: "x-other", encryptedValue: "k1:x", secret: true }]),
    },
    { desc: "for a plain header", stored: rule([{ name: "x-key", value: "v" }]) },
  ])("rejects the mask with no stored secret $desc", ({ stored }) => {
    const input = rule([
      { name: "x-a", value: "a" },
      { name: "x-key", value: SECRET_MASK, secret: true },
    ]);
    expect(() => sealRuleSecrets(input, stored, keyring)).toThrow(ValidationError);
    expect(() => sealRuleSecrets(input, stored, keyring)).toThrow(
      /^rule\.header_config\.add\[1\]\.value: /,
    );
  });
});

describe("maskRuleSecrets", () => {
  it("shows the mask for secrets and never ciphertext", () => {
    const sealed = sealRuleSecrets(
      rule([
        { name: "x-key", value: "s", secret: true },
        { name: "x-plain", value: "p" },
      ]),
      undefined,
      keyring,
    );
    const masked = maskRuleSecrets(sealed);
    expect(masked.headerConfig!.add.map((h) => [h.value, h.encryptedValue])).toEqual([
      [SECRET_MASK, ""],
      ["p", ""],
    ]);
    expect(sealed.headerConfig!.add[0]!.encryptedValue).not.toBe("");
  });
});

describe("sealRuleSecrets after a key rotation", () => {
  it("re-seals a kept secret with the active key", () => {
    const oldSpec = generateKeySpec("old");
    const stored = sealRuleSecrets(
      rule([{ name: "x-key", value: "s3cret", secret: true }]),
      undefined,
      parseKeyring(oldSpec),
    );
    const rotated = parseKeyring(`${generateKeySpec("new")},${oldSpec}`);
    const sealed = sealRuleSecrets(
      rule([{ name: "x-key", value: SECRET_MASK, secret: true }]),
      stored,
      rotated,
    );
    const value = sealed.headerConfig!.add[0]!.encryptedValue;
    expect(value.startsWith("new:")).toBe(true);
    expect(rotated.decrypt(value)).toBe("s3cret");
  });
});
