import { create } from "@bufbuild/protobuf";
import {
  CreateProjectResponseSchema,
  GetProjectResponseSchema,
  ListProjectsResponseSchema,
  type Project,
  UpdateProjectResponseSchema,
} from "@switchyard/api";
import type { Command } from "commander";
import { contextOf } from "../context.js";
import type { CliIo } from "../io.js";
import { Names } from "../names.js";
import { type Column, formatDetails, formatTable, formatTime } from "../output.js";
import { type PagingFlags, readPages } from "../pagination.js";
import { formatRateLimit, type RateLimitFlags, rateLimitFromFlags } from "../rate-limit-flags.js";
import { noteMore, requireChanges, withEtag, withPaging, withRateLimit } from "./shared.js";

const columns: Column<Project>[] = [
  { header: "id", value: (p) => p.id },
  { header: "name", value: (p) => p.name },
  { header: "description", value: (p) => p.description, maxWidth: 40 },
  { header: "rate limit", value: (p) => formatRateLimit(p.rateLimit) },
  { header: "updated", value: (p) => formatTime(p.updateTime) },
];

function details(p: Project | undefined): string {
  if (!p) return "";
  return formatDetails([
    ["id", p.id],
    ["name", p.name],
    ["description", p.description],
    ["rate limit", formatRateLimit(p.rateLimit)],
    ["etag", p.etag],
    ["created", formatTime(p.createTime)],
    ["updated", formatTime(p.updateTime)],
  ]);
}

interface ProjectFlags extends RateLimitFlags {
  name?: string;
  description?: string;
  etag?: string;
}

/** `switchyard projects list|get|create|update|delete`. */
export function projectsCommand(program: Command, io: CliIo): void {
  const projects = program.command("projects").description("manage projects");

  withPaging(projects.command("list").description("list projects")).action(
    async (flags: PagingFlags, cmd) => {
      const ctx = contextOf(io, cmd);
      const page = await readPages(flags, async (pageSize, pageToken) => {
        const res = await ctx.client.projects.listProjects({ pageSize, pageToken });
        return { items: res.projects, nextPageToken: res.nextPageToken };
      });
      ctx.emit(
        ListProjectsResponseSchema,
        create(ListProjectsResponseSchema, {
          projects: page.items,
          nextPageToken: page.nextPageToken,
        }),
        () => formatTable(columns, page.items),
      );
      noteMore(ctx, page);
    },
  );

  projects
    .command("get")
    .description("show one project")
    .argument("<project>", "project name or id")
    .action(async (project: string, _flags, cmd) => {
      const ctx = contextOf(io, cmd);
      const id = await new Names(ctx.client).projectId("<project>", project);
      const res = await ctx.client.projects.getProject({ id });
      ctx.emit(GetProjectResponseSchema, res, () => details(res.project));
    });

  withRateLimit(
    projects
      .command("create")
      .description("create a project")
      .argument("<name>", "unique name: a-z, 0-9 and '-', 1..63 characters")
      .option("--description <text>", "free text"),
  ).action(async (name: string, flags: ProjectFlags, cmd) => {
    const rateLimit = rateLimitFromFlags(flags) ?? undefined;
    const ctx = contextOf(io, cmd);
    const res = await ctx.client.projects.createProject({
      project: { name, description: flags.description ?? "", rateLimit },
    });
    ctx.emit(CreateProjectResponseSchema, res, () => details(res.project));
  });

  withEtag(
    withRateLimit(
      projects
        .command("update")
        .description("change a project (only the given fields)")
        .argument("<project>", "project name or id")
        .option("--name <name>", "new name")
        .option("--description <text>", "new description"),
    ),
  ).action(async (project: string, flags: ProjectFlags, cmd) => {
    const paths: string[] = [];
    if (flags.name !== undefined) paths.push("name");
    if (flags.description !== undefined) paths.push("description");
    const rateLimit = rateLimitFromFlags(flags);
    if (rateLimit !== undefined) paths.push("rate_limit");
    requireChanges(paths, "--name, --description, --rate-limit, --no-rate-limit");
    const ctx = contextOf(io, cmd);
    const id = await new Names(ctx.client).projectId("<project>", project);
    const res = await ctx.client.projects.updateProject({
      project: {
        id,
        etag: flags.etag ?? "",
        name: flags.name ?? "",
        description: flags.description ?? "",
        rateLimit: rateLimit ?? undefined,
      },
      updateMask: { paths },
    });
    ctx.emit(UpdateProjectResponseSchema, res, () => details(res.project));
  });

  withEtag(
    projects
      .command("delete")
      .description("delete a project (prints it as it was)")
      .argument("<project>", "project name or id")
      .option("--force", "also delete its aliases, domains and rules"),
  ).action(async (project: string, flags: { etag?: string; force?: boolean }, cmd) => {
    const ctx = contextOf(io, cmd);
    const id = await new Names(ctx.client).projectId("<project>", project);
    const deleted = await ctx.client.projects.getProject({ id });
    await ctx.client.projects.deleteProject({
      id,
      etag: flags.etag ?? "",
      force: flags.force ?? false,
    });
    const name = deleted.project?.name ?? "";
    ctx.emit(GetProjectResponseSchema, deleted, () => `deleted project ${name} (${id})\n`);
  });
}
