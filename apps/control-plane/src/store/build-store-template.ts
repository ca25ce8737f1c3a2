/**
 * Build step: writes the store template (dist/store-template), the database files a fresh
 * embedded data directory starts from, unless the one there was made by the installed PGlite.
 * Run after `tsc` as `node dist/store/build-store-template.js`.
 */
import { buildStoreTemplate, hasStoreTemplate, STORE_TEMPLATE_DIR } from "./pglite-init.js";

if (!(await hasStoreTemplate())) {
  const started = performance.now();
  await buildStoreTemplate();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`store template written to ${STORE_TEMPLATE_DIR} in ${seconds} s`);
}
