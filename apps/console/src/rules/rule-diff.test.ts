import { create } from "@bufbuild/protobuf";
import {
  AuthMode,
  AuthPolicySchema,
  HeaderConfigSchema,
  type Rule,
  RuleSchema,
  SECRET_MASK,
} from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { ruleChanges, withFieldsOf } from "./rule-diff.js";

const base = create(RuleSchema, {
  id: "r",
  pathPattern: "/api/*",
  targetUrl: "https://a.example.com",
  stripPrefix: true,
  timeoutMs: 30000,
  enabled: true,
  allowedHeaders: ["x-a"],
  headerConfig: { add: [{ name: "x-key", value: SECRET_MASK, secret: true }], strip: [] },
});
/** `base` with some fields replaced. */
const edited = (fields: Partial<Rule>): Rule => ({ ...base, ...fields });

describe("ruleChanges", () => {
  const cases = [
    { desc: "nothing", after: edited({}), paths: [] },
    {
      desc: "one field",
      after: edited({ targetUrl: "https://b.example.com" }),
      paths: ["target_url"],
    },
    {
      desc: "several fields, in form order",
      after: edited({ description: "d", pathPattern: "/v2/*", websocket: true }),
      paths: ["path_pattern", "description", "websocket"],
    },
    { desc: "timeout 0 reads as the default 30000", after: edited({ timeoutMs: 0 }), paths: [] },
    {
      desc: "auth unset reads as require",
      after: edited({ auth: create(AuthPolicySchema, { mode: AuthMode.REQUIRE }) }),
      paths: [],
    },
    { desc: "header-name case", after: edited({ allowedHeaders: ["X-A"] }), paths: [] },
    {
      desc: "strip_prefix unset reads as true",
      after: edited({ stripPrefix: undefined }),
      paths: [],
    },
  ];
  for (const { desc, after, paths } of cases) {
    it(desc, () => expect(ruleChanges(base, after).map((c) => c.path)).toEqual(paths));
  }

  it("shows a secret as kept or new, never its value", () => {
    const after = edited({
      headerConfig: create(HeaderConfigSchema, {
        add: [{ name: "X-Key", value: "hunter2", secret: true }],
      }),
    });
    const [change] = ruleChanges(base, after);
    expect(change).toMatchObject({
      path: "header_config",
      before: `add x-key: ${SECRET_MASK} (secret, kept)`,
      after: "add x-key: (new secret value)",
    });
    expect(JSON.stringify(change)).not.toContain("hunter2");
  });
});

describe("withFieldsOf", () => {
  it("replays only the named fields onto a newer version", () => {
    const current = edited({ targetUrl: "https://elsewhere.example.com", etag: "9" });
    const mine = edited({ description: "mine", targetUrl: "https://a.example.com" });
    const merged = withFieldsOf(current, mine, ["description"]);
    expect(merged.description).toBe("mine");
    expect(merged.targetUrl).toBe("https://elsewhere.example.com");
    expect(merged.etag).toBe("9");
  });
});
