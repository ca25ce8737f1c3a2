import { defineConfig } from "vitest/config";
import { shared } from "../../vitest.shared.js";

// The binary is built once before any file runs (test/build-once.ts), so files can run two at
// a time: most of their time is spent waiting on the processes they spawn (servers starting,
// heartbeats, a control plane kept down for a minute), which leaves room for a second file.
export default defineConfig({
  ...shared,
  test: { ...shared.test, globalSetup: ["test/build-once.ts"], maxWorkers: 2 },
});
