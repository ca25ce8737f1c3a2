import { create, toBinary } from "@bufbuild/protobuf";
import { NullValue, StructSchema } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { CreateRuleRequestSchema } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { decodeFailure } from "./decode-message.js";
import { findUnknownEnum } from "./unknown-enum.js";

const utf8 = (text: string) => new TextEncoder().encode(text);

/** `bytes` with the first occurrence of the ASCII `marker` byte replaced by 0xFF. */
function spoil(bytes: Uint8Array, marker: string): Uint8Array {
  const out = bytes.slice();
  out[out.indexOf(marker.charCodeAt(0))] = 0xff;
  return out;
}

describe("decodeFailure", () => {
  const rule = create(CreateRuleRequestSchema, {
    rule: {
      pathPattern: "/a",
      headerConfig: {
        add: [
          { name: "x-a", value: "v" },
          { name: "x-b", value: "w#" },
        ],
      },
    },
  });

  it("accepts a well-formed message", () => {
    expect(
      decodeFailure(CreateRuleRequestSchema, toBinary(CreateRuleRequestSchema, rule), true),
    ).toBeUndefined();
    expect(
      decodeFailure(
        CreateRuleRequestSchema,
        utf8('{"rule":{"auth":{"mode":"AUTH_MODE_REQUIRE"}}}'),
        false,
      ),
    ).toBeUndefined();
  });

  it.each([
    [
      "invalid UTF-8 in a nested list",
      spoil(toBinary(CreateRuleRequestSchema, rule), "#"),
      "rule.header_config.add[1].value: is not valid UTF-8",
    ],
    [
      "a truncated message",
      toBinary(CreateRuleRequestSchema, rule).subarray(0, 6),
      "request: cannot decode switchyard.v1.CreateRuleRequest from binary",
    ],
  ])("refuses %s (binary)", (_what, bytes, message) => {
    const failure = decodeFailure(CreateRuleRequestSchema, bytes, true);
    expect(failure?.code).toBe(Code.InvalidArgument);
    expect(failure?.rawMessage).toContain(message);
  });

  it("names a map key and a map value's field", () => {
    const struct = create(StructSchema, {
      fields: { "k#": { kind: { case: "stringValue", value: "v" } } },
    });
    expect(
      decodeFailure(StructSchema, spoil(toBinary(StructSchema, struct), "#"), true)?.rawMessage,
    ).toBe("fields key: is not valid UTF-8");
    const value = create(StructSchema, {
      fields: { k: { kind: { case: "stringValue", value: "v#" } } },
    });
    expect(
      decodeFailure(StructSchema, spoil(toBinary(StructSchema, value), "#"), true)?.rawMessage,
    ).toBe("fields value.string_value: is not valid UTF-8");
  });

  it.each([
    [
      '{"rule":{"headerConfig":{"add":[{"name":"a"},{"bogus":1}]}}}',
      "rule.header_config.add[1].bogus: is not a field of switchyard.v1.HeaderValue",
    ],
    [
      '{"rule":{"auth":{"mode":"NOPE"}}}',
      'rule.auth.mode: "NOPE" is not a value of switchyard.v1.AuthMode',
    ],
    ['{"rule":', "request: "],
  ])("refuses %s (JSON)", (json, message) => {
    expect(decodeFailure(CreateRuleRequestSchema, utf8(json), false)?.rawMessage).toContain(
      message,
    );
  });
});

describe("findUnknownEnum", () => {
  it("finds an unknown number inside a map value", () => {
    const struct = create(StructSchema, {
      fields: {
        ok: { kind: { case: "nullValue", value: NullValue.NULL_VALUE } },
        bad: { kind: { case: "nullValue", value: 5 as NullValue } },
      },
    });
    expect(findUnknownEnum(StructSchema, struct)).toEqual({
      field: 'fields["bad"].null_value',
      value: 5,
      enumName: "google.protobuf.NullValue",
    });
  });

  it("finds nothing in a message of known values", () => {
    const rule = create(CreateRuleRequestSchema, { rule: { auth: { mode: 1 } } });
    expect(findUnknownEnum(CreateRuleRequestSchema, rule)).toBeUndefined();
  });
});
