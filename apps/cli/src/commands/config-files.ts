// biome-ignore-all lint/suspicious/noTemplateCurlyInString: config files spell ${VAR} references literally
import { ConnectError } from "@connectrpc/connect";
import {
  ApplyConfigResponseSchema,
  type ConfigChange,
  ConfigChangeAction,
  ExportConfigResponseSchema,
} from "@switchyard/api";
import {
  type DocumentIssue,
  documentData,
  formatDocument,
  formatIssue,
  type LoadedConfig,
  loadConfig,
} from "@switchyard/config-doc";
import { parseTargetPolicy, type TargetPolicy } from "@switchyard/policy";
import { type Command, Option } from "commander";
import { CliError } from "../cli-error.js";
import { contextOf } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { withWait } from "./wait.js";

/**
 * What `apply` and `diff` check before calling the server: everything but which targets
 * the deployment allows, which only the server knows (it checks them, and its errors are
 * located in the files like these).
 */
const ANY_TARGET = parseTargetPolicy({ allowHttp: true, allowPrivate: "0.0.0.0/0,::/0" });

const fileOption = () =>
  new Option(
    "-f, --file <path...>",
    "config file or directory (.yaml, .yml, .json); repeatable",
  ).makeOptionMandatory();

/**
 * Config as code: `apply`, `diff`, `export` and `validate` (DESIGN.md §2). Files are read
 * and checked locally first, so a mistake names its file, line and field and nothing is
 * sent; the server then plans and commits the apply in one transaction.
 */
export function configFileCommands(program: Command, io: CliIo): void {
  const apply = program
    .command("apply")
    .description("make the projects the files declare look as declared (one revision)")
    .addOption(fileOption())
    .option("--dry-run", "show what would change and change nothing")
    .option("--prune", "also delete what the named projects hold that the files do not declare")
    .action(async (flags: { file: string[]; dryRun?: boolean; prune?: boolean }, cmd) => {
      const ctx = contextOf(io, cmd);
      const config = await loadChecked(io, flags.file, ANY_TARGET);
      const request = { document: config.document, prune: flags.prune ?? false };
      const plan = await call(io, config, () =>
        ctx.client.documents.applyConfig({ ...request, dryRun: true }),
      );
      if (flags.dryRun || plan.changes.length === 0) {
        ctx.emit(ApplyConfigResponseSchema, plan, () => renderPlan(plan.changes));
        return;
      }
      const res = await call(io, config, () =>
        ctx.client.documents.applyConfig({ ...request, planEtag: plan.planEtag }),
      );
      ctx.emit(ApplyConfigResponseSchema, res, () =>
        res.applied
          ? `${renderChanges(res.changes)}applied ${count(res.changes.length, "change")} in revision ${res.revision}\n`
          : renderPlan(res.changes),
      );
    });
  withWait(apply); // the program waits after the action (addWaitToMutations)

  program
    .command("diff")
    .description(
      `what apply would change; exits 0 when nothing differs, ${ExitCode.drift} when something does`,
    )
    .addOption(fileOption())
    .option("--prune", "count what apply --prune would delete")
    .action(async (flags: { file: string[]; prune?: boolean }, cmd) => {
      const ctx = contextOf(io, cmd);
      const config = await loadChecked(io, flags.file, ANY_TARGET);
      const plan = await call(io, config, () =>
        ctx.client.documents.applyConfig({
          document: config.document,
          prune: flags.prune ?? false,
          dryRun: true,
        }),
      );
      ctx.emit(ApplyConfigResponseSchema, plan, () => renderPlan(plan.changes));
      if (plan.changes.length > 0) {
        throw new CliError("", ExitCode.drift);
      }
    });

  program
    .command("export")
    .description("the stored config as a config file (secrets as ${VAR} references)")
    .option("-p, --project <name...>", "only these projects (repeatable); default: every one")
    .action(async (flags: { project?: string[] }, cmd) => {
      const ctx = contextOf(io, cmd);
      const res = await ctx.client.documents.exportConfig({ projectNames: flags.project ?? [] });
      const document = res.document;
      if (ctx.output === "json") {
        io.out(`${JSON.stringify(document ? documentData(document) : {}, null, 2)}\n`);
      } else if (ctx.output === "table" || ctx.output === "yaml") {
        io.out(document ? formatDocument(document) : "projects: []\n");
      } else {
        ctx.emit(ExportConfigResponseSchema, res, () => "");
      }
    });

  program
    .command("validate")
    .description(
      "check config files offline, as the server would (targets as SWITCHYARD_ALLOW_HTTP_TARGETS and SWITCHYARD_ALLOW_PRIVATE_TARGETS allow)",
    )
    .addOption(fileOption())
    .action(async (flags: { file: string[] }) => {
      const config = await loadChecked(io, flags.file, targetPolicyOf(io.env));
      const rules = config.document.projects.reduce(
        (n, p) => n + p.rules.length + p.aliases.reduce((m, a) => m + a.rules.length, 0),
        0,
      );
      io.out(
        `valid: ${count(config.document.projects.length, "project")}, ${count(rules, "rule")} in ${config.files.join(", ")}\n`,
      );
    });
}

/** Reads the files; every issue printed with its file, line and field, then exit 2. */
export async function loadChecked(
  io: CliIo,
  paths: readonly string[],
  targetPolicy: TargetPolicy,
): Promise<LoadedConfig> {
  let config: LoadedConfig;
  try {
    config = await loadConfig(paths, io.env, { targetPolicy });
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error), ExitCode.usage);
  }
  if (config.issues.length > 0) throw issuesError(io, config.issues);
  return config;
}

/** Prints each issue on its own line (`file:line:column: field: message`); exit 2. */
function issuesError(io: CliIo, issues: readonly DocumentIssue[]): CliError {
  for (const issue of issues) io.err(`${formatIssue(issue)}\n`);
  return new CliError(
    `${count(issues.length, "problem")} in the config files; nothing was changed`,
    ExitCode.usage,
  );
}

/**
 * Calls the server; its validation errors (`projects[1].rules[0].target_url: …`) come
 * back located in the files, like the local ones.
 */
async function call<T>(io: CliIo, config: LoadedConfig, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const located =
      error instanceof ConnectError ? locateServerError(io, config, error) : undefined;
    throw located ?? error;
  }
}

function locateServerError(
  io: CliIo,
  config: LoadedConfig,
  error: ConnectError,
): CliError | undefined {
  const parts = error.rawMessage.split(/; (?=projects\[)/);
  if (!parts.every((p) => p.startsWith("projects["))) return undefined;
  const issues = parts.map((part) => {
    const colon = part.indexOf(": ");
    return { ...config.locate(part.slice(0, colon)), message: part.slice(colon + 2) };
  });
  return issuesError(io, issues);
}

/** The target policy `SWITCHYARD_ALLOW_HTTP_TARGETS` / `_PRIVATE_TARGETS` in `env` give. */
export function targetPolicyOf(env: CliIo["env"]): TargetPolicy {
  try {
    return parseTargetPolicy({
      allowHttp: env["SWITCHYARD_ALLOW_HTTP_TARGETS"] ?? false,
      allowPrivate: env["SWITCHYARD_ALLOW_PRIVATE_TARGETS"] ?? "",
    });
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error), ExitCode.usage);
  }
}

const SIGNS: Record<ConfigChangeAction, string> = {
  [ConfigChangeAction.UNSPECIFIED]: "?",
  [ConfigChangeAction.CREATE]: "+",
  [ConfigChangeAction.UPDATE]: "~",
  [ConfigChangeAction.DELETE]: "-",
  [ConfigChangeAction.REORDER]: "^",
};

const VERBS: Record<ConfigChangeAction, string> = {
  [ConfigChangeAction.UNSPECIFIED]: "change",
  [ConfigChangeAction.CREATE]: "create",
  [ConfigChangeAction.UPDATE]: "update",
  [ConfigChangeAction.DELETE]: "delete",
  [ConfigChangeAction.REORDER]: "reorder",
};

/** `+ rule web/production: /api/*` and its details, one change per line. */
function renderChanges(changes: readonly ConfigChange[]): string {
  return changes
    .map((c) => {
      const head = `${SIGNS[c.action]} ${VERBS[c.action]} ${c.kind} ${c.name}\n`;
      return head + c.details.map((d) => `    ${d}\n`).join("");
    })
    .join("");
}

function renderPlan(changes: readonly ConfigChange[]): string {
  if (changes.length === 0) return "no changes: the server already matches the files\n";
  const byAction = new Map<ConfigChangeAction, number>();
  for (const c of changes) byAction.set(c.action, (byAction.get(c.action) ?? 0) + 1);
  const summary = [...byAction].map(([action, n]) => `${n} to ${VERBS[action]}`).join(", ");
  return `${renderChanges(changes)}would change: ${summary}\n`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
