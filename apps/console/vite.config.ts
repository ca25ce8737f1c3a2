import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * The console is served by the control plane under a strict Content-Security-Policy
 * (`script-src 'self'; style-src 'self'`): nothing may be inlined into index.html, so the
 * module-preload polyfill (an inline script) is off and CSS is always a file.
 */
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    // One bundle (React, React Router, TanStack Query, the protobuf runtime: ~540 kB, ~160 kB
    // gzipped), fetched once and cached immutable under its hashed name; not worth splitting.
    chunkSizeWarningLimit: 700,
  },
});
