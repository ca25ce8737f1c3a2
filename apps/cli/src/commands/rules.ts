import { create } from "@bufbuild/protobuf";
import {
  CreateRuleResponseSchema,
  DeleteRuleResponseSchema,
  GetRuleResponseSchema,
  ListRulesResponseSchema,
  ReorderRulesResponseSchema,
  UpdateRuleResponseSchema,
} from "@switchyard/api";
import type { Command } from "commander";
import { contextOf, parseLimit } from "../context.js";
import type { CliIo } from "../io.js";
import { formatTable } from "../output.js";
import { collectPages } from "../pagination.js";
import { type RuleFlags, ruleChangeFromFlags } from "../rule-flags.js";
import { UsageError } from "../usage-error.js";
import { ruleColumns, ruleDetails } from "./rule-view.js";
import { noteMore, requireChanges, withEtag, withLimit, withRateLimit } from "./shared.js";

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
    .option("--add-header <name=value...>", "set this header upstream", collect)
    .option(
      "--add-secret-header <name=value...>",
      "set this header, stored encrypted and shown masked",
      collect,
    )
    .option("--strip-header <name...>", "remove this header from the upstream request", splitList);
  if (mode === "update") {
    command.option("--clear-headers", "remove every added and stripped header");
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
  "--description, --[no-]method, --[no-]allow-header, --add-header, --add-secret-header, --strip-header, " +
  "--clear-headers, --auth, --auth-cookie, --require-claim, --dangerously-allow-unauthenticated, --[no-]rate-limit, --[no-]egress-proxy, --[no-]websocket";

/** `switchyard rules list|get|create|update|delete|reorder`. */
export function rulesCommand(program: Command, io: CliIo): void {
  const rules = program.command("rules").description("manage proxy rules");

  withLimit(rules.command("list").description("list rules in match order"))
    .requiredOption("--project <id>", "project id")
    .option("--alias <id>", "only this alias's rules")
    .option("--defaults-only", "only the project's default rules")
    .action(
      async (
        flags: { project: string; alias?: string; defaultsOnly?: boolean; limit?: string },
        cmd,
      ) => {
        if (flags.alias !== undefined && flags.defaultsOnly) {
          throw new UsageError("--alias: cannot be combined with --defaults-only");
        }
        const aliasId = flags.defaultsOnly ? "" : flags.alias;
        const ctx = contextOf(io, cmd);
        const page = await collectPages(async (pageSize, pageToken) => {
          const res = await ctx.client.rules.listRules({
            projectId: flags.project,
            aliasId,
            pageSize,
            pageToken,
          });
          return { items: res.rules, nextPageToken: res.nextPageToken };
        }, parseLimit(flags.limit));
        ctx.emit(
          ListRulesResponseSchema,
          create(ListRulesResponseSchema, { rules: page.items, nextPageToken: page.nextPageToken }),
          () => formatTable(ruleColumns, page.items),
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
      ctx.emit(GetRuleResponseSchema, res, () => ruleDetails(res.rule));
    });

  withRuleFlags(
    rules
      .command("create")
      .description("create a rule")
      .requiredOption("--project <id>", "project id")
      .option("--alias <id>", "alias id (default: a project default rule)"),
    "create",
  ).action(async (flags: RuleFlags & { project: string; alias?: string }, cmd) => {
    const { rule } = ruleChangeFromFlags(flags);
    rule.projectId = flags.project;
    rule.aliasId = flags.alias ?? "";
    const ctx = contextOf(io, cmd);
    const res = await ctx.client.rules.createRule({ rule });
    ctx.emit(CreateRuleResponseSchema, res, () => ruleDetails(res.rule));
  });

  withEtag(
    withRuleFlags(
      rules
        .command("update")
        .description(
          "change a rule: only the given flags are written (a header flag replaces all headers, an auth flag the whole auth policy)",
        )
        .argument("<id>", "rule id"),
      "update",
    ),
  ).action(async (id: string, flags: RuleFlags & { etag?: string }, cmd) => {
    const { rule, paths } = ruleChangeFromFlags(flags);
    requireChanges(paths, updateFlags);
    rule.id = id;
    rule.etag = flags.etag ?? "";
    const ctx = contextOf(io, cmd);
    const res = await ctx.client.rules.updateRule({ rule, updateMask: { paths } });
    ctx.emit(UpdateRuleResponseSchema, res, () => ruleDetails(res.rule));
  });

  withEtag(rules.command("delete").description("delete a rule").argument("<id>", "rule id")).action(
    async (id: string, flags: { etag?: string }, cmd) => {
      const ctx = contextOf(io, cmd);
      const res = await ctx.client.rules.deleteRule({ id, etag: flags.etag ?? "" });
      ctx.emit(DeleteRuleResponseSchema, res, () => `deleted rule ${id}\n`);
    },
  );

  rules
    .command("reorder")
    .description("set the order of every rule of one scope at once")
    .argument("<ids...>", "every rule id of the scope, once each, in the new order")
    .requiredOption("--project <id>", "project id")
    .option("--alias <id>", "alias id (default: the project's default rules)")
    .action(async (ids: string[], flags: { project: string; alias?: string }, cmd) => {
      const seen = new Set<string>();
      for (const id of ids) {
        if (seen.has(id)) throw new UsageError(`rule ${id} is listed twice`);
        seen.add(id);
      }
      const ctx = contextOf(io, cmd);
      const res = await ctx.client.rules.reorderRules({
        projectId: flags.project,
        aliasId: flags.alias ?? "",
        ruleIds: ids,
      });
      ctx.emit(ReorderRulesResponseSchema, res, () => formatTable(ruleColumns, res.rules));
    });
}
