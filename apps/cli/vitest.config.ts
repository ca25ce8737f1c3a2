import { defineConfig } from "vitest/config";
import { shared } from "../../vitest.shared.js";

// Integration files build the binary in beforeAll; one file at a time keeps two
// builds from writing the same dist/ at once (the second is a turbo cache hit).
export default defineConfig({ ...shared, test: { ...shared.test, fileParallelism: false } });
