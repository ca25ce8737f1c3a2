import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  DeleteRuleResponseSchema,
  ListProjectsResponseSchema,
  RateLimitKey,
  RateLimitSchema,
} from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  formatDetails,
  formatJson,
  formatTable,
  formatTime,
  formatYaml,
  parseOutputFormat,
} from "./output.js";
import { formatRateLimit } from "./rate-limit-flags.js";

describe("formatTable", () => {
  const columns = [
    { header: "id", value: (r: { id: string; name: string }) => r.id },
    { header: "name", value: (r: { id: string; name: string }) => r.name, maxWidth: 8 },
  ];

  it("aligns columns two spaces apart with upper-case headers and no trailing blanks", () => {
    const text = formatTable(columns, [
      { id: "p1", name: "web" },
      { id: "project-2", name: "api" },
    ]);
    expect(text).toBe("ID         NAME\np1         web\nproject-2  api\n");
  });

  it("prints only the header for no rows", () => {
    expect(formatTable(columns, [])).toBe("ID  NAME\n");
  });

  it("cuts long cells and flattens control characters so a row stays one line", () => {
    const text = formatTable(columns, [{ id: "a\nb", name: "a-very-long-name" }]);
    expect(text).toBe("ID   NAME\na b  a-very-…\n");
  });
});

describe("formatDetails", () => {
  it("aligns values and shows empty ones as -", () => {
    expect(
      formatDetails([
        ["id", "p1"],
        ["description", ""],
      ]),
    ).toBe("id:           p1\ndescription:  -\n");
  });
});

describe("formatJson", () => {
  it("prints the protobuf JSON form (camelCase names, int32 as numbers)", () => {
    const message = create(ListProjectsResponseSchema, {
      projects: [
        { id: "p1", name: "web", createTime: timestampFromDate(new Date("2025-01-02T03:04:05Z")) },
      ],
      nextPageToken: "next",
    });
    expect(JSON.parse(formatJson(ListProjectsResponseSchema, message))).toEqual({
      projects: [{ id: "p1", name: "web", createTime: "2025-01-02T03:04:05Z" }],
      nextPageToken: "next",
    });
  });
});

describe("formatYaml", () => {
  it("prints the same document as formatJson, in YAML", () => {
    const message = create(ListProjectsResponseSchema, {
      projects: [{ id: "p1", name: "web", description: "a: b\n# not a comment" }],
      nextPageToken: "",
    });
    const yaml = formatYaml(ListProjectsResponseSchema, message);
    expect(yaml).toMatch(/^projects:\n {2}- id: p1\n/);
    expect(parse(yaml)).toEqual(JSON.parse(formatJson(ListProjectsResponseSchema, message)));
  });

  it("prints an empty message as {}", () => {
    expect(formatYaml(DeleteRuleResponseSchema, create(DeleteRuleResponseSchema))).toBe("{}\n");
  });
});

describe("parseOutputFormat", () => {
  it.each([
    ["JSON", "json"],
    ["Yaml", "yaml"],
    [" table ", "table"],
  ])("accepts %j as %s", (given, format) => {
    expect(parseOutputFormat(given)).toBe(format);
  });

  it("names the allowed formats for anything else", () => {
    expect(() => parseOutputFormat("yml")).toThrow("Allowed choices are table, json, yaml.");
  });
});

describe("formatTime and formatRateLimit", () => {
  it("formats timestamps without milliseconds", () => {
    expect(formatTime(timestampFromDate(new Date("2025-01-02T03:04:05.678Z")))).toBe(
      "2025-01-02T03:04:05Z",
    );
    expect(formatTime(undefined)).toBe("");
  });

  it.each([
    { limit: 100, windowMs: 60_000, key: RateLimitKey.IP, headerName: "", text: "100/1m ip" },
    {
      limit: 5,
      windowMs: 90_000,
      key: RateLimitKey.SUBJECT,
      headerName: "",
      text: "5/90s subject",
    },
    {
      limit: 1,
      windowMs: 86_400_000,
      key: RateLimitKey.UNSPECIFIED,
      headerName: "",
      text: "1/1d ip",
    },
    {
      limit: 9,
      windowMs: 1500,
      key: RateLimitKey.HEADER,
      headerName: "X-Client",
      text: "9/1500ms header:X-Client",
    },
  ])("rate limit $text", ({ text, ...init }) => {
    expect(formatRateLimit(create(RateLimitSchema, init))).toBe(text);
  });
});
