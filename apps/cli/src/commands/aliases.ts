import { create } from "@bufbuild/protobuf";
import {
  type Alias,
  CreateAliasResponseSchema,
  DeleteAliasResponseSchema,
  GetAliasResponseSchema,
  ListAliasesResponseSchema,
  UpdateAliasResponseSchema,
} from "@switchyard/api";
import type { Command } from "commander";
import { contextOf, parseLimit } from "../context.js";
import type { CliIo } from "../io.js";
import { type Column, formatBool, formatDetails, formatTable, formatTime } from "../output.js";
import { collectPages } from "../pagination.js";
import { noteMore, requireChanges, withEtag, withLimit } from "./shared.js";

const columns: Column<Alias>[] = [
  { header: "id", value: (a) => a.id },
  { header: "project", value: (a) => a.projectId },
  { header: "name", value: (a) => a.name },
  { header: "inherit", value: (a) => formatBool(a.inheritProjectRules) },
  { header: "updated", value: (a) => formatTime(a.updateTime) },
];

function details(a: Alias | undefined): string {
  if (!a) return "";
  return formatDetails([
    ["id", a.id],
    ["project", a.projectId],
    ["name", a.name],
    ["inherit project rules", formatBool(a.inheritProjectRules)],
    ["etag", a.etag],
    ["created", formatTime(a.createTime)],
    ["updated", formatTime(a.updateTime)],
  ]);
}

/** `switchyard aliases list|get|create|update|delete`: the environments of a project. */
export function aliasesCommand(program: Command, io: CliIo): void {
  const aliases = program
    .command("aliases")
    .description("manage aliases (the environments of a project)");

  withLimit(aliases.command("list").description("list the aliases of a project"))
    .requiredOption("--project <id>", "project id")
    .action(async (flags: { project: string; limit?: string }, cmd) => {
      const ctx = contextOf(io, cmd);
      const page = await collectPages(async (pageSize, pageToken) => {
        const res = await ctx.client.projects.listAliases({
          projectId: flags.project,
          pageSize,
          pageToken,
        });
        return { items: res.aliases, nextPageToken: res.nextPageToken };
      }, parseLimit(flags.limit));
      ctx.emit(
        ListAliasesResponseSchema,
        create(ListAliasesResponseSchema, {
          aliases: page.items,
          nextPageToken: page.nextPageToken,
        }),
        () => formatTable(columns, page.items),
      );
      noteMore(ctx, page);
    });

  aliases
    .command("get")
    .description("show one alias")
    .argument("<id>", "alias id")
    .action(async (id: string, _flags, cmd) => {
      const ctx = contextOf(io, cmd);
      const res = await ctx.client.projects.getAlias({ id });
      ctx.emit(GetAliasResponseSchema, res, () => details(res.alias));
    });

  aliases
    .command("create")
    .description("create an alias")
    .argument("<name>", "unique within the project, e.g. production, staging")
    .requiredOption("--project <id>", "project id")
    .option("--inherit-project-rules", "try the alias's rules first, then the project defaults")
    .action(
      async (name: string, flags: { project: string; inheritProjectRules?: boolean }, cmd) => {
        const ctx = contextOf(io, cmd);
        const res = await ctx.client.projects.createAlias({
          alias: {
            projectId: flags.project,
            name,
            inheritProjectRules: flags.inheritProjectRules ?? false,
          },
        });
        ctx.emit(CreateAliasResponseSchema, res, () => details(res.alias));
      },
    );

  withEtag(
    aliases
      .command("update")
      .description("change an alias (only the given fields)")
      .argument("<id>", "alias id")
      .option("--name <name>", "new name")
      .option("--inherit-project-rules", "fall back to the project defaults")
      .option("--no-inherit-project-rules", "replace the project defaults"),
  ).action(
    async (
      id: string,
      flags: { name?: string; inheritProjectRules?: boolean; etag?: string },
      cmd,
    ) => {
      const paths: string[] = [];
      if (flags.name !== undefined) paths.push("name");
      if (flags.inheritProjectRules !== undefined) paths.push("inherit_project_rules");
      requireChanges(paths, "--name, --inherit-project-rules, --no-inherit-project-rules");
      const ctx = contextOf(io, cmd);
      const res = await ctx.client.projects.updateAlias({
        alias: {
          id,
          etag: flags.etag ?? "",
          name: flags.name ?? "",
          inheritProjectRules: flags.inheritProjectRules ?? false,
        },
        updateMask: { paths },
      });
      ctx.emit(UpdateAliasResponseSchema, res, () => details(res.alias));
    },
  );

  withEtag(
    aliases
      .command("delete")
      .description("delete an alias")
      .argument("<id>", "alias id")
      .option("--force", "also delete its rules and unset it on domains that point at it"),
  ).action(async (id: string, flags: { etag?: string; force?: boolean }, cmd) => {
    const ctx = contextOf(io, cmd);
    const res = await ctx.client.projects.deleteAlias({
      id,
      etag: flags.etag ?? "",
      force: flags.force ?? false,
    });
    ctx.emit(DeleteAliasResponseSchema, res, () => `deleted alias ${id}\n`);
  });
}
