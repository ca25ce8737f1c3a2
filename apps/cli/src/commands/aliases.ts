import { create } from "@bufbuild/protobuf";
import {
  type Alias,
  CreateAliasResponseSchema,
  GetAliasResponseSchema,
  ListAliasesResponseSchema,
  UpdateAliasResponseSchema,
} from "@switchyard/api";
import type { Command } from "commander";
import { contextOf } from "../context.js";
import type { CliIo } from "../io.js";
import { Names } from "../names.js";
import { type Column, formatBool, formatDetails, formatTable, formatTime } from "../output.js";
import { type PagingFlags, readPages } from "../pagination.js";
import { noteMore, requireChanges, withEtag, withPaging } from "./shared.js";

function columns(projectName: (id: string) => string): Column<Alias>[] {
  return [
    { header: "id", value: (a) => a.id },
    { header: "project", value: (a) => projectName(a.projectId) },
    { header: "name", value: (a) => a.name },
    { header: "inherit", value: (a) => formatBool(a.inheritProjectRules) },
    { header: "updated", value: (a) => formatTime(a.updateTime) },
  ];
}

function details(a: Alias | undefined, projectName: string): string {
  if (!a) return "";
  return formatDetails([
    ["id", a.id],
    ["project", `${projectName} (${a.projectId})`],
    ["name", a.name],
    ["inherit project rules", formatBool(a.inheritProjectRules)],
    ["etag", a.etag],
    ["created", formatTime(a.createTime)],
    ["updated", formatTime(a.updateTime)],
  ]);
}

/** Adds `--project` to a command that takes an alias name or id. */
function withProjectOfName(command: Command): Command {
  return command.option(
    "--project <project>",
    "project name or id, to look the alias name up in (default: every project)",
  );
}

/** The id of the alias `<alias>` names, looked up in `--project` when given. */
async function aliasIdOf(names: Names, alias: string, project: string | undefined) {
  const projectId = project === undefined ? undefined : await names.projectId("--project", project);
  return names.aliasId("<alias>", alias, projectId);
}

/** `switchyard aliases list|get|create|update|delete`: the environments of a project. */
export function aliasesCommand(program: Command, io: CliIo): void {
  const aliases = program
    .command("aliases")
    .description("manage aliases (the environments of a project)");

  withPaging(aliases.command("list").description("list the aliases of a project"))
    .requiredOption("--project <project>", "project name or id")
    .action(async (flags: PagingFlags & { project: string }, cmd) => {
      const ctx = contextOf(io, cmd);
      const names = new Names(ctx.client);
      const projectId = await names.projectId("--project", flags.project);
      const page = await readPages(flags, async (pageSize, pageToken) => {
        const res = await ctx.client.projects.listAliases({ projectId, pageSize, pageToken });
        return { items: res.aliases, nextPageToken: res.nextPageToken };
      });
      const projectName = ctx.output === "table" ? await names.projectNames() : String;
      ctx.emit(
        ListAliasesResponseSchema,
        create(ListAliasesResponseSchema, {
          aliases: page.items,
          nextPageToken: page.nextPageToken,
        }),
        () => formatTable(columns(projectName), page.items),
      );
      noteMore(ctx, page);
    });

  withProjectOfName(
    aliases.command("get").description("show one alias").argument("<alias>", "alias name or id"),
  ).action(async (alias: string, flags: { project?: string }, cmd) => {
    const ctx = contextOf(io, cmd);
    const names = new Names(ctx.client);
    const res = await ctx.client.projects.getAlias({
      id: await aliasIdOf(names, alias, flags.project),
    });
    const projectName = ctx.output === "table" ? await labelOf(names, res.alias) : "";
    ctx.emit(GetAliasResponseSchema, res, () => details(res.alias, projectName));
  });

  aliases
    .command("create")
    .description("create an alias")
    .argument("<name>", "unique within the project, e.g. production, staging")
    .requiredOption("--project <project>", "project name or id")
    .option("--inherit-project-rules", "try the alias's rules first, then the project defaults")
    .action(
      async (name: string, flags: { project: string; inheritProjectRules?: boolean }, cmd) => {
        const ctx = contextOf(io, cmd);
        const names = new Names(ctx.client);
        const res = await ctx.client.projects.createAlias({
          alias: {
            projectId: await names.projectId("--project", flags.project),
            name,
            inheritProjectRules: flags.inheritProjectRules ?? false,
          },
        });
        const projectName = ctx.output === "table" ? await labelOf(names, res.alias) : "";
        ctx.emit(CreateAliasResponseSchema, res, () => details(res.alias, projectName));
      },
    );

  withEtag(
    withProjectOfName(
      aliases
        .command("update")
        .description("change an alias (only the given fields)")
        .argument("<alias>", "alias name or id")
        .option("--name <name>", "new name")
        .option("--inherit-project-rules", "fall back to the project defaults")
        .option("--no-inherit-project-rules", "replace the project defaults"),
    ),
  ).action(
    async (
      alias: string,
      flags: { name?: string; inheritProjectRules?: boolean; etag?: string; project?: string },
      cmd,
    ) => {
      const paths: string[] = [];
      if (flags.name !== undefined) paths.push("name");
      if (flags.inheritProjectRules !== undefined) paths.push("inherit_project_rules");
      requireChanges(paths, "--name, --inherit-project-rules, --no-inherit-project-rules");
      const ctx = contextOf(io, cmd);
      const names = new Names(ctx.client);
      const res = await ctx.client.projects.updateAlias({
        alias: {
          id: await aliasIdOf(names, alias, flags.project),
          etag: flags.etag ?? "",
          name: flags.name ?? "",
          inheritProjectRules: flags.inheritProjectRules ?? false,
        },
        updateMask: { paths },
      });
      const projectName = ctx.output === "table" ? await labelOf(names, res.alias) : "";
      ctx.emit(UpdateAliasResponseSchema, res, () => details(res.alias, projectName));
    },
  );

  withEtag(
    withProjectOfName(
      aliases
        .command("delete")
        .description("delete an alias (prints it as it was)")
        .argument("<alias>", "alias name or id")
        .option("--force", "also delete its rules and unset it on domains that point at it"),
    ),
  ).action(
    async (alias: string, flags: { etag?: string; force?: boolean; project?: string }, cmd) => {
      const ctx = contextOf(io, cmd);
      const names = new Names(ctx.client);
      const id = await aliasIdOf(names, alias, flags.project);
      const deleted = await ctx.client.projects.getAlias({ id });
      await ctx.client.projects.deleteAlias({
        id,
        etag: flags.etag ?? "",
        force: flags.force ?? false,
      });
      const name = deleted.alias?.name ?? "";
      ctx.emit(GetAliasResponseSchema, deleted, () => `deleted alias ${name} (${id})\n`);
    },
  );
}

/** The name of an alias's project, for its details. */
function labelOf(names: Names, alias: Alias | undefined): Promise<string> {
  return alias === undefined ? Promise.resolve("") : names.projectLabel(alias.projectId);
}
