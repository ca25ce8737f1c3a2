/**
 * @switchyard/config-doc: config as code. Config files (YAML or JSON) read into the API's
 * `ConfigDocument` with every issue located by file, line and field, checked with the same
 * validation the server runs, written back out, and described by a JSON Schema.
 */

export { documentEnumValues, documentFields, enumShortName } from "./document-shape.js";
export { documentSnapshot } from "./document-snapshot.js";
export { documentData, formatDocument } from "./format-document.js";
export {
  type DocumentEnv,
  escapeReferences,
  type InterpolateResult,
  interpolate,
  reference,
} from "./interpolate.js";
export { documentJsonSchema } from "./json-schema.js";
export { type LoadedConfig, loadConfig } from "./load-config.js";
export {
  type DocumentIssue,
  formatIssue,
  type ReadDocument,
  readDocument,
} from "./read-document.js";
export { validateDocument } from "./validate-document.js";
