import { describe, expect, it } from "vitest";
import { mergeAppConfigs } from "./merge-app-configs.js";

describe("mergeAppConfigs", () => {
  it("merges mappings at any depth, later files winning; replaces lists and scalars whole", () => {
    const base = {
      app: { title: "Portal" },
      proxy: {
        endpoints: {
          "/github": { target: "https://api.github.com", allowedMethods: ["GET", "POST"] },
          "/sentry": "https://sentry.io/api/",
        },
      },
    };
    const production = {
      proxy: {
        endpoints: {
          "/github": { allowedMethods: ["GET"], credentials: "forward" },
          "/sentry": { target: "https://sentry.example.com/api/" },
        },
      },
    };
    expect(mergeAppConfigs([base, production])).toEqual({
      app: { title: "Portal" },
      proxy: {
        endpoints: {
          "/github": {
            target: "https://api.github.com",
            allowedMethods: ["GET"],
            credentials: "forward",
          },
          "/sentry": { target: "https://sentry.example.com/api/" },
        },
      },
    });
  });

  it("keeps a lone file as it is", () => {
    expect(mergeAppConfigs([{ proxy: { a: 1 } }])).toEqual({ proxy: { a: 1 } });
  });
});
