import { create, equals } from "@bufbuild/protobuf";
import {
  CreateRuleResponseSchema,
  GetRuleResponseSchema,
  HeaderConfigSchema,
  ListRulesResponseSchema,
  ReorderRulesResponseSchema,
  type Rule,
  UpdateRuleResponseSchema,
} from "@switchyard/api";
import type { Command } from "commander";
import { type CommandContext, contextOf } from "../context.js";
import { applyHeaderEdits } from "../header-flags.js";
import type { CliIo } from "../io.js";
import { type Labels, Names } from "../names.js";
import { formatTable } from "../output.js";
import { type PagingFlags, readPages } from "../pagination.js";
import { type RuleFlags, ruleChangeFromFlags } from "../rule-flags.js";
import { UsageError } from "../usage-error.js";
import { ruleColumns, ruleDetails } from "./rule-view.js";
import { noteMore, requireChanges, withEtag, withPaging, withRateLimit } from "./shared.js";

/** The project and alias names of these rules, read only for table output. */
async function labelsFor(ctx: CommandContext, names: Names, rules: Rule[]): Promise<Labels> {
  if (ctx.output !== "table") return { project: String, alias: String };
  return names.labels(rules.filter((r) => r.aliasId !== "").map((r) => r.projectId));
}

/** `--project` and `--alias` (names or ids) as ids; an alias name is one of the project's. */
async function scopeOf(names: Names, flags: { project: string; alias?: string }) {
  const projectId = await names.projectId("--project", flags.project);
  const aliasId =
    flags.alias === undefined ? undefined : await names.aliasId("--alias", flags.alias, projectId);
  return { projectId, aliasId };
}

/** Lets `--method GET,POST` and `--method GET POST` mean the same. */
function splitList(value: string, previous: string[] | false | undefined): string[] {
  const items = value
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
  return [...(Array.isArray(previous) ? previous : []), ...items];
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The rule field flags shared by `rules create` and `rules update`. */
function withRuleFlags(command: Command, mode: "create" | "update"): Command {
  if (mode === "create") {
    command
      .requiredOption("--path <pattern>", '"/graphql", "/api/*", "*.json", "/users/:id"')
      .requiredOption(
        "--target <url>",
        "upstream URL (https; may use the pattern's :name captures)",
      );
  } else {
    command
      .option("--path <pattern>", "new path pattern")
      .option("--target <url>", "new upstream URL");
  }
  command
    .option("--strip-prefix", "drop the matched prefix of a /* pattern (default)")
    .option("--no-strip-prefix", "forward the full path")
    .option("--order <n>", "lowest first (default on create: after the last rule)")
    .option("--timeout-ms <n>", "connect + response headers deadline, 100..60000 (default 30000)")
    .option("--preserve-host", "send the client's Host upstream")
    .option("--no-preserve-host", "send the target's Host upstream (default)")
    .option("--enabled", "match requests (default)")
    .option("--disabled", "never match")
    .option("--description <text>", "free text")
    .option(
      "--method <method...>",
      "allow only these methods (repeatable or comma-separated)",
      splitList,
    )
    .option("--no-method", "allow every method (default)")
    .option("--allow-header <name...>", "forward these extra headers both ways", splitList)
    .option("--no-allow-header", "forward only the safe header list")
    .option("--set-header <name=value...>", "set this header upstream", collect)
    .option(
      "--set-secret-header <name=value...>",
      "set this header, stored encrypted and shown masked",
      collect,
    )
    .option("--add-header <name=value...>", "the same as --set-header", collect)
    .option("--add-secret-header <name=value...>", "the same as --set-secret-header", collect)
    .option("--strip-header <name...>", "remove this header from the upstream request", splitList);
  if (mode === "update") {
    command
      .option(
        "--remove-header <name...>",
        "stop setting or stripping this header (the others are kept)",
        splitList,
      )
      .option("--clear-headers", "remove every set and stripped header");
  }
  command
    .option(
      "--auth <mode>",
      "require (default): a verified token, not forwarded; forward: required and forwarded",
    )
    .option("--auth-cookie <name>", "also read the token from this cookie, never forwarded")
    .option(
      "--require-claim <name=values...>",
      "admit only identities whose claim has one of these values (groups=admin,ops)",
      collect,
    )
    .option("--dangerously-allow-unauthenticated", "let anyone through, with no token");
  withRateLimit(command);
  return command
    .option("--egress-proxy <url>", "tunnel upstream connections through this http(s) proxy")
    .option("--no-egress-proxy", "connect to the upstream directly (default)")
    .option("--websocket", "proxy WebSocket upgrades")
    .option("--no-websocket", "refuse WebSocket upgrades (default)");
}

const updateFlags =
  "--path, --target, --[no-]strip-prefix, --order, --timeout-ms, --[no-]preserve-host, --enabled, --disabled, " +
  "--description, --[no-]method, --[no-]allow-header, --set-header, --set-secret-header, --strip-header, " +
  "--remove-header, --clear-headers, --auth, --auth-cookie, --require-claim, --dangerously-allow-unauthenticated, --[no-]rate-limit, --[no-]egress-proxy, --[no-]websocket";

/** `switchyard rules list|get|create|update|delete|reorder`. */
export function rulesCommand(program: Command, io: CliIo): void {
  const rules = program.command("rules").description("manage proxy rules");

  withPaging(rules.command("list").description("list rules in match order"))
    .requiredOption("--project <project>", "project name or id")
    .option("--alias <alias>", "only this alias's rules (name or id)")
    .option("--defaults-only", "only the project's default rules")
    .action(
      async (
        flags: PagingFlags & { project: string; alias?: string; defaultsOnly?: boolean },
        cmd,
      ) => {
        if (flags.alias !== undefined && flags.defaultsOnly) {
          throw new UsageError("--alias: cannot be combined with --defaults-only");
        }
        const ctx = contextOf(io, cmd);
        const names = new Names(ctx.client);
        const scope = await scopeOf(names, flags);
        const aliasId = flags.defaultsOnly ? "" : scope.aliasId;
        const page = await readPages(flags, async (pageSize, pageToken) => {
          const res = await ctx.client.rules.listRules({
            projectId: scope.projectId,
            aliasId,
            pageSize,
            pageToken,
          });
          return { items: res.rules, nextPageToken: res.nextPageToken };
        });
        const label = await labelsFor(ctx, names, page.items);
        ctx.emit(
          ListRulesResponseSchema,
          create(ListRulesResponseSchema, { rules: page.items, nextPageToken: page.nextPageToken }),
          () => formatTable(ruleColumns(label), page.items),
        );
        noteMore(ctx, page);
      },
    );

  rules
    .command("get")
    .description("show one rule")
    .argument("<id>", "rule id")
    .action(async (id: string, _flags, cmd) => {
      const ctx = contextOf(io, cmd);
      const res = await ctx.client.rules.getRule({ id });
      const label = await labelsFor(ctx, new Names(ctx.client), res.rule ? [res.rule] : []);
      ctx.emit(GetRuleResponseSchema, res, () => ruleDetails(res.rule, label));
    });

  withRuleFlags(
    rules
      .command("create")
      .description("create a rule")
      .requiredOption("--project <project>", "project name or id")
      .option("--alias <alias>", "alias name or id (default: a project default rule)"),
    "create",
  ).action(async (flags: RuleFlags & { project: string; alias?: string }, cmd) => {
    const { rule } = ruleChangeFromFlags(flags);
    const ctx = contextOf(io, cmd);
    const names = new Names(ctx.client);
    const scope = await scopeOf(names, flags);
    rule.projectId = scope.projectId;
    rule.aliasId = scope.aliasId ?? "";
    const res = await ctx.client.rules.createRule({ rule });
    const label = await labelsFor(ctx, names, res.rule ? [res.rule] : []);
    ctx.emit(CreateRuleResponseSchema, res, () => ruleDetails(res.rule, label));
  });

  withEtag(
    withRuleFlags(
      rules
        .command("update")
        .description(
          "change a rule: only the given flags are written (each header flag changes one header and keeps the rest; an auth flag writes the whole auth policy)",
        )
        .argument("<id>", "rule id"),
      "update",
    ),
  ).action(async (id: string, flags: RuleFlags & { etag?: string }, cmd) => {
    const { rule, paths, headerEdits } = ruleChangeFromFlags(flags);
    requireChanges(paths, updateFlags);
    rule.id = id;
    rule.etag = flags.etag ?? "";
    const ctx = contextOf(io, cmd);
    const names = new Names(ctx.client);
    if (headerEdits !== undefined) {
      // header_config is one field: the edits apply to the headers the rule has now, as the
      // API shows them (a secret as the mask, which keeps it). Its etag makes the write fail,
      // rather than drop a header, if another write came in between.
      const current = (await ctx.client.rules.getRule({ id })).rule;
      const { headerConfig, missing } = applyHeaderEdits(current?.headerConfig, headerEdits);
      for (const name of missing) {
        io.err(`note: rule ${id} sets and strips no header ${name}; nothing to remove\n`);
      }
      rule.headerConfig = headerConfig;
      rule.etag ||= current?.etag ?? "";
      const unchanged = equals(
        HeaderConfigSchema,
        headerConfig,
        current?.headerConfig ?? create(HeaderConfigSchema),
      );
      if (unchanged && paths.length === 1 && current !== undefined) {
        const label = await labelsFor(ctx, names, [current]);
        ctx.emit(
          UpdateRuleResponseSchema,
          create(UpdateRuleResponseSchema, { rule: current }),
          () => ruleDetails(current, label),
        );
        return;
      }
    }
    const res = await ctx.client.rules.updateRule({ rule, updateMask: { paths } });
    const label = await labelsFor(ctx, names, res.rule ? [res.rule] : []);
    ctx.emit(UpdateRuleResponseSchema, res, () => ruleDetails(res.rule, label));
  });

  withEtag(
    rules
      .command("delete")
      .description("delete a rule (prints it as it was)")
      .argument("<id>", "rule id"),
  ).action(async (id: string, flags: { etag?: string }, cmd) => {
    const ctx = contextOf(io, cmd);
    const deleted = await ctx.client.rules.getRule({ id });
    await ctx.client.rules.deleteRule({ id, etag: flags.etag ?? "" });
    ctx.emit(GetRuleResponseSchema, deleted, () => `deleted rule ${id}\n`);
  });

  rules
    .command("reorder")
    .description("set the order of every rule of one scope at once")
    .argument("<ids...>", "every rule id of the scope, once each, in the new order")
    .requiredOption("--project <project>", "project name or id")
    .option("--alias <alias>", "alias name or id (default: the project's default rules)")
    .action(async (ids: string[], flags: { project: string; alias?: string }, cmd) => {
      const seen = new Set<string>();
      for (const id of ids) {
        if (seen.has(id)) throw new UsageError(`rule ${id} is listed twice`);
        seen.add(id);
      }
      const ctx = contextOf(io, cmd);
      const names = new Names(ctx.client);
      const scope = await scopeOf(names, flags);
      const res = await ctx.client.rules.reorderRules({
        projectId: scope.projectId,
        aliasId: scope.aliasId ?? "",
        ruleIds: ids,
      });
      const label = await labelsFor(ctx, names, res.rules);
      ctx.emit(ReorderRulesResponseSchema, res, () => formatTable(ruleColumns(label), res.rules));
    });
}
