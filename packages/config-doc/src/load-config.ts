import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { type ConfigDocument, ConfigDocumentSchema, type ProjectSpec } from "@switchyard/api";
import type { ValidationContext } from "@switchyard/policy";
import type { DocumentEnv } from "./interpolate.js";
import { type DocumentIssue, type ReadDocument, readDocument } from "./read-document.js";
import { validateDocument } from "./validate-document.js";

/** Config files a directory contributes: its YAML and JSON files, by name. */
const CONFIG_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

export interface LoadedConfig {
  /** Every file's projects, in file order then in the order each file lists them. */
  document: ConfigDocument;
  /** Syntax, shape and validation issues, each naming its file, line and field. */
  issues: DocumentIssue[];
  /** The files read. */
  files: string[];
  /**
   * Where a field of `document` (`projects[3].rules[0].target_url`, as the server's
   * validation names it) is written: its file, line and column.
   */
  locate(field: string): Omit<DocumentIssue, "message">;
}

/**
 * Reads config files and directories (their `.yaml`, `.yml` and `.json` files, not
 * recursively) into one document and checks it as the server would (`validateDocument`),
 * so `switchyard validate` needs no server. A project may be declared in one file only.
 */
export async function loadConfig(
  paths: readonly string[],
  env: DocumentEnv,
  ctx: ValidationContext = {},
): Promise<LoadedConfig> {
  const files = await expand(paths);
  const issues: DocumentIssue[] = [];
  const projects: ProjectSpec[] = [];
  const origins: { file: ReadDocument; name: string; index: number }[] = [];
  for (const name of files) {
    const read = readDocument(await readFile(name, "utf8"), name, env);
    issues.push(...read.issues);
    read.document.projects.forEach((project, index) => {
      projects.push(project);
      origins.push({ file: read, name, index });
    });
  }
  const document = create(ConfigDocumentSchema, { projects });
  const locate = (field: string) => {
    const match = /^projects\[(\d+)\](.*)$/.exec(field);
    const origin = match ? origins[Number(match[1])] : undefined;
    if (!origin || !match) return { file: files[0] ?? "", line: 0, column: 0, field };
    const inFile = `projects[${origin.index}]${match[2]}`;
    return { file: origin.name, ...origin.file.locate(inFile), field: inFile };
  };
  if (issues.length > 0) return { document, issues, files, locate };
  for (const violation of validateDocument(document, ctx)) {
    issues.push({ ...locate(violation.field), message: violation.message });
  }
  return { document, issues, files, locate };
}

async function expand(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    if (!(await stat(path)).isDirectory()) {
      files.push(path);
      continue;
    }
    const names = (await readdir(path)).filter((n) => CONFIG_EXTENSIONS.has(extname(n))).sort();
    if (names.length === 0)
      throw new Error(`${path}: no .yaml, .yml or .json files in this directory`);
    files.push(...names.map((n) => join(path, n)));
  }
  return files;
}
