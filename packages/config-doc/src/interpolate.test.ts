// biome-ignore-all lint/suspicious/noTemplateCurlyInString: config files spell ${VAR} references literally
import { describe, expect, it } from "vitest";
import { escapeReferences, interpolate, reference } from "./interpolate.js";

describe("interpolate", () => {
  it("replaces references, keeps escaped ones literal, and names what is missing", () => {
    expect(interpolate("Bearer ${TOKEN}", { TOKEN: "t" })).toEqual({ ok: true, value: "Bearer t" });
    expect(interpolate("$${TOKEN} and ${A}${B}", { A: "1", B: "2" })).toEqual({
      ok: true,
      value: "${TOKEN} and 12",
    });
    expect(interpolate("${MISSING}", {})).toEqual({
      ok: false,
      error: "environment variable MISSING is not set",
    });
    expect(interpolate("${not a name}", {}).ok).toBe(false);
  });

  it("escapes text so that reading it back gives the same text", () => {
    for (const text of ["plain", "${A}", "a ${B} and $${C}", "$$", "${"]) {
      const escaped = escapeReferences(text);
      expect(interpolate(escaped, { A: "x", B: "y", C: "z" })).toEqual({ ok: true, value: text });
    }
    expect(escapeReferences("${A}")).toBe("$${A}");
    expect(reference("A_B")).toBe("${A_B}");
  });
});
