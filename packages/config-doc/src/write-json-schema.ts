import { writeFileSync } from "node:fs";
import { documentJsonSchema } from "./json-schema.js";

/** Writes the config file's JSON Schema to the path given (docs/switchyard-config.schema.json). */
const [target] = process.argv.slice(2);
if (!target) {
  process.stderr.write("usage: write-json-schema OUTPUT.json\n");
  process.exit(2);
}
writeFileSync(target, `${JSON.stringify(documentJsonSchema(), null, 2)}\n`);
