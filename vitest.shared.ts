import type { ViteUserConfig } from "vitest/config";

/** Shared vitest settings: run workspace packages from their TypeScript sources. */
export const shared: ViteUserConfig = {
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"], externalConditions: ["source"] } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
};
