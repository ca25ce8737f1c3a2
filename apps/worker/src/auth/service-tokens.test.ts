import * as crypto from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { parseServiceTokens, ServiceTokens } from "./service-tokens.js";

vi.mock("node:crypto", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:crypto")>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

const SECRET_A = "a-secret-of-24-characters";
const SECRET_B = "another-secret-0123456789";

describe("parseServiceTokens", () => {
  it("reads comma- or newline-separated entries, comments and a colon in the secret", () => {
    const text = `# machine clients\nci-bot:${SECRET_A}\n\nbackup@ops:${SECRET_B}:x,ci-bot:${SECRET_B}y`;
    expect(parseServiceTokens(text)).toEqual({
      ok: true,
      entries: [
        { subject: "ci-bot", secret: SECRET_A },
        { subject: "backup@ops", secret: `${SECRET_B}:x` },
        { subject: "ci-bot", secret: `${SECRET_B}y` },
      ],
    });
  });

  const cases: [string, string, string][] = [
    ["no colon", "justasecret", "entry 1 is not subject:secret"],
    [
      "a short secret",
      "bot:short",
      `entry 1 (bot): the secret must be at least 16 visible ASCII characters`,
    ],
    [
      "a bad subject",
      `bad subject:${SECRET_A}`,
      "entry 1: the subject must be 1 to 128 of A-Z a-z 0-9 . _ @ + -",
    ],
    [
      "a shared secret",
      `a:${SECRET_A},b:${SECRET_A}`,
      "entry 2 (b): the same secret is given for another entry",
    ],
    ["nothing", " , # only a comment", "has no subject:secret entry"],
  ];
  for (const [desc, text, problem] of cases) {
    it(`refuses ${desc} without echoing the secret`, () => {
      const parsed = parseServiceTokens(text);
      expect(parsed).toEqual({ ok: false, problems: [problem] });
      expect(JSON.stringify(parsed)).not.toContain(SECRET_A);
    });
  }
});

describe("ServiceTokens", () => {
  const tokens = new ServiceTokens([
    { subject: "ci-bot", secret: SECRET_A },
    { subject: "backup", secret: SECRET_B },
  ]);

  it("answers the subject of a right secret and nothing for a wrong one", () => {
    expect(tokens.match(SECRET_A)).toBe("ci-bot");
    expect(tokens.match(SECRET_B)).toBe("backup");
    expect(tokens.match(`${SECRET_A}x`)).toBeUndefined();
    expect(tokens.match("")).toBeUndefined();
  });

  it("compares SHA-256 digests with timingSafeEqual, against every entry, even after a match", () => {
    const compare = vi.mocked(crypto.timingSafeEqual);
    compare.mockClear();
    tokens.match(SECRET_A);
    expect(compare).toHaveBeenCalledTimes(2);
    for (const [a, b] of compare.mock.calls) {
      expect((a as Buffer).length).toBe(32);
      expect((b as Buffer).length).toBe(32);
    }
  });
});
