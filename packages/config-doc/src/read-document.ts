import {
  create,
  type DescEnum,
  type DescField,
  type DescMessage,
  ScalarType,
} from "@bufbuild/protobuf";
import { type ConfigDocument, ConfigDocumentSchema } from "@switchyard/api";
import { closestName } from "@switchyard/settings";
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type Scalar } from "yaml";
import { documentEnumValues, documentFields, leftOutReason } from "./document-shape.js";
import { type DocumentEnv, interpolate } from "./interpolate.js";

/** One thing wrong with a config file, where it is. */
export interface DocumentIssue {
  file: string;
  /** 1-based; 0 when the issue is about the file as a whole. */
  line: number;
  column: number;
  /** The field as the document names it: `projects[0].rules[2].target_url`; "" for syntax. */
  field: string;
  message: string;
}

/** `file:line:column: field: message`, as compilers and editors print them. */
export function formatIssue(issue: DocumentIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  return issue.field ? `${where}: ${issue.field}: ${issue.message}` : `${where}: ${issue.message}`;
}

/** A config file read into the API's document, with `${VAR}` references resolved. */
export interface ReadDocument {
  document: ConfigDocument;
  /** What is wrong with the file's syntax or shape; the document holds what could be read. */
  issues: DocumentIssue[];
  /** Where `field` (or the closest enclosing field the file spells out) is written. */
  locate(field: string): { line: number; column: number };
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * Reads one YAML or JSON config file (JSON is YAML too) into a `ConfigDocument`: keys are
 * the proto field names, enum values their short names. Unknown keys, wrong types, duplicate
 * keys and unset `${VAR}` references are issues naming the line and the field; nothing is
 * guessed. `env` resolves the references.
 */
export function readDocument(text: string, file: string, env: DocumentEnv): ReadDocument {
  const lines = new LineCounter();
  const parsed = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const positions = new Map<string, number>();
  const issues: DocumentIssue[] = [];
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const locate = (field: string) => {
    for (let path = field; ; path = parentPath(path)) {
      const offset = positions.get(path);
      if (offset !== undefined) return at(offset);
      if (path === "") return { line: 1, column: 1 };
    }
  };

  for (const error of parsed.errors) {
    issues.push({ file, ...at(error.pos[0]), field: "", message: firstLine(error.message) });
  }
  if (issues.length > 0) return { document: create(ConfigDocumentSchema), issues, locate };

  const report = (node: Node | null | undefined, field: string, message: string) => {
    const offset = node?.range?.[0] ?? positions.get(field);
    issues.push({ file, ...(offset === undefined ? locate(field) : at(offset)), field, message });
  };
  const reader = new NodeReader(env, positions, report);
  const root = parsed.contents;
  const init = root === null ? {} : reader.message(ConfigDocumentSchema, root as Node, "");
  return { document: create(ConfigDocumentSchema, init), issues, locate };
}

type Report = (node: Node | null | undefined, field: string, message: string) => void;

/** Walks YAML nodes against a message descriptor, building `create()` input. */
class NodeReader {
  constructor(
    private readonly env: DocumentEnv,
    private readonly positions: Map<string, number>,
    private readonly report: Report,
  ) {}

  message(desc: DescMessage, node: Node, path: string): Record<string, unknown> {
    const init: Record<string, unknown> = {};
    if (!isMap(node)) {
      this.report(node, path, `must be a mapping of ${describe(desc)} fields`);
      return init;
    }
    const fields = documentFields(desc);
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? keyNode.value : undefined;
      if (typeof key !== "string") {
        this.report(keyNode, path, "keys must be strings");
        continue;
      }
      const fieldPath = path === "" ? key : `${path}.${key}`;
      const valueNode = pair.value as Node | null;
      this.positions.set(fieldPath, (valueNode ?? keyNode)?.range?.[0] ?? 0);
      const field = fields.find((f) => f.name === key);
      if (field === undefined) {
        this.report(keyNode, fieldPath, unknownKey(desc, key, fields));
        continue;
      }
      if (valueNode === null || (isScalar(valueNode) && valueNode.value === null)) continue;
      const value = this.field(field, valueNode, fieldPath);
      if (value !== undefined) init[field.localName] = value;
    }
    return init;
  }

  private field(field: DescField, node: Node, path: string): unknown {
    switch (field.fieldKind) {
      case "scalar":
        return this.scalar(field.scalar, node, path);
      case "enum":
        return this.enumValue(field.enum, node, path);
      case "message":
        return create(field.message, this.message(field.message, node, path));
      case "list": {
        if (!isSeq(node)) {
          this.report(node, path, "must be a list");
          return undefined;
        }
        return node.items.flatMap((item, i) => {
          const itemPath = `${path}[${i}]`;
          const itemNode = item as Node;
          this.positions.set(itemPath, itemNode.range?.[0] ?? 0);
          const value =
            field.listKind === "message"
              ? create(field.message, this.message(field.message, itemNode, itemPath))
              : field.listKind === "enum"
                ? this.enumValue(field.enum, itemNode, itemPath)
                : this.scalar(field.scalar, itemNode, itemPath);
          return value === undefined ? [] : [value];
        });
      }
      case "map":
        this.report(node, path, "maps are not supported in documents");
        return undefined;
    }
  }

  private scalar(type: ScalarType, node: Node, path: string): unknown {
    const value = isScalar(node) ? (node as Scalar).value : undefined;
    switch (type) {
      case ScalarType.STRING: {
        if (typeof value !== "string") {
          return this.wrong(node, path, "a string", value);
        }
        const resolved = interpolate(value, this.env);
        if (!resolved.ok) return this.report(node, path, resolved.error);
        return resolved.value;
      }
      case ScalarType.BOOL:
        return typeof value === "boolean" ? value : this.wrong(node, path, "true or false", value);
      case ScalarType.INT32:
        if (typeof value !== "number" || !Number.isInteger(value)) {
          return this.wrong(node, path, "a whole number", value);
        }
        if (value < INT32_MIN || value > INT32_MAX) {
          return this.report(node, path, `must be at most ${INT32_MAX}, got ${value}`);
        }
        return value;
      default:
        return this.report(node, path, `has a type documents do not support (${ScalarType[type]})`);
    }
  }

  private enumValue(desc: DescEnum, node: Node, path: string): number | undefined {
    const value = isScalar(node) ? (node as Scalar).value : undefined;
    const allowed = documentEnumValues(desc);
    const names = allowed.map((v) => v.name).join(", ");
    if (typeof value !== "string") return this.wrong(node, path, `one of ${names}`, value);
    const found = allowed.find((v) => v.name === value.toUpperCase());
    if (found) return found.number;
    this.report(node, path, `must be one of ${names}, got "${value}"`);
    return undefined;
  }

  private wrong(node: Node, path: string, expected: string, value: unknown): undefined {
    const got = isSeq(node)
      ? "a list"
      : isMap(node)
        ? "a mapping"
        : typeof value === "string"
          ? `"${value}"`
          : String(value);
    this.report(node, path, `must be ${expected}, got ${got}`);
    return undefined;
  }
}

function unknownKey(desc: DescMessage, key: string, fields: readonly DescField[]): string {
  const reason = leftOutReason(desc, key);
  if (reason) return `"${key}" is not part of a document: ${reason}`;
  const names = fields.map((f) => f.name);
  const suggestion = closestName(key, names);
  return suggestion
    ? `unknown key "${key}"; did you mean "${suggestion}"?`
    : `unknown key "${key}"; ${describe(desc)} takes ${names.join(", ")}`;
}

/** `projects[0].rules` → `projects[0]`; `projects[0]` → `projects`; `projects` → "". */
function parentPath(path: string): string {
  if (path.endsWith("]")) return path.slice(0, path.lastIndexOf("["));
  const dot = path.lastIndexOf(".");
  return dot === -1 ? "" : path.slice(0, dot);
}

/** How messages name a message type: `ProjectSpec`. */
function describe(desc: DescMessage): string {
  return desc.name;
}

function firstLine(message: string): string {
  return message.split("\n")[0]!;
}
