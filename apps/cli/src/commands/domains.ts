import { create } from "@bufbuild/protobuf";
import {
  CreateDomainResponseSchema,
  DeleteDomainResponseSchema,
  type Domain,
  GetDomainResponseSchema,
  ListDomainsResponseSchema,
  UpdateDomainResponseSchema,
} from "@switchyard/api";
import type { Command } from "commander";
import { contextOf, parseLimit } from "../context.js";
import type { CliIo } from "../io.js";
import { type Column, formatDetails, formatTable, formatTime } from "../output.js";
import { collectPages } from "../pagination.js";
import { noteMore, requireChanges, withEtag, withLimit } from "./shared.js";

const columns: Column<Domain>[] = [
  { header: "id", value: (d) => d.id },
  { header: "host", value: (d) => d.host },
  { header: "project", value: (d) => d.projectId },
  { header: "alias", value: (d) => d.aliasId || "-" },
  { header: "updated", value: (d) => formatTime(d.updateTime) },
];

function details(d: Domain | undefined): string {
  if (!d) return "";
  return formatDetails([
    ["id", d.id],
    ["host", d.host],
    ["project", d.projectId],
    ["alias", d.aliasId || "(project defaults)"],
    ["etag", d.etag],
    ["created", formatTime(d.createTime)],
    ["updated", formatTime(d.updateTime)],
  ]);
}

/** `switchyard domains list|get|create|update|delete`: the hosts that route to a project. */
export function domainsCommand(program: Command, io: CliIo): void {
  const domains = program
    .command("domains")
    .description("manage domains (hosts routed to a project)");

  withLimit(domains.command("list").description("list domains"))
    .option("--project <id>", "only this project's (default: every project you can see)")
    .action(async (flags: { project?: string; limit?: string }, cmd) => {
      const ctx = contextOf(io, cmd);
      const page = await collectPages(async (pageSize, pageToken) => {
        const res = await ctx.client.projects.listDomains({
          projectId: flags.project ?? "",
          pageSize,
          pageToken,
        });
        return { items: res.domains, nextPageToken: res.nextPageToken };
      }, parseLimit(flags.limit));
      ctx.emit(
        ListDomainsResponseSchema,
        create(ListDomainsResponseSchema, {
          domains: page.items,
          nextPageToken: page.nextPageToken,
        }),
        () => formatTable(columns, page.items),
      );
      noteMore(ctx, page);
    });

  domains
    .command("get")
    .description("show one domain")
    .argument("<id>", "domain id")
    .action(async (id: string, _flags, cmd) => {
      const ctx = contextOf(io, cmd);
      const res = await ctx.client.projects.getDomain({ id });
      ctx.emit(GetDomainResponseSchema, res, () => details(res.domain));
    });

  domains
    .command("create")
    .description("route a host to a project")
    .argument("<host>", 'exact host ("app.example.com") or leading wildcard ("*.example.com")')
    .requiredOption("--project <id>", "project id")
    .option("--alias <id>", "alias id (default: the project's default rules)")
    .action(async (host: string, flags: { project: string; alias?: string }, cmd) => {
      const ctx = contextOf(io, cmd);
      const res = await ctx.client.projects.createDomain({
        domain: { host, projectId: flags.project, aliasId: flags.alias ?? "" },
      });
      ctx.emit(CreateDomainResponseSchema, res, () => details(res.domain));
    });

  withEtag(
    domains
      .command("update")
      .description("change a domain (only the given fields)")
      .argument("<id>", "domain id")
      .option("--host <host>", "new host")
      .option("--alias <id>", "route to this alias")
      .option("--no-alias", "route to the project's default rules"),
  ).action(
    async (id: string, flags: { host?: string; alias?: string | false; etag?: string }, cmd) => {
      const paths: string[] = [];
      if (flags.host !== undefined) paths.push("host");
      if (flags.alias !== undefined) paths.push("alias_id");
      requireChanges(paths, "--host, --alias, --no-alias");
      const ctx = contextOf(io, cmd);
      const res = await ctx.client.projects.updateDomain({
        domain: { id, etag: flags.etag ?? "", host: flags.host ?? "", aliasId: flags.alias || "" },
        updateMask: { paths },
      });
      ctx.emit(UpdateDomainResponseSchema, res, () => details(res.domain));
    },
  );

  withEtag(
    domains.command("delete").description("delete a domain").argument("<id>", "domain id"),
  ).action(async (id: string, flags: { etag?: string }, cmd) => {
    const ctx = contextOf(io, cmd);
    const res = await ctx.client.projects.deleteDomain({ id, etag: flags.etag ?? "" });
    ctx.emit(DeleteDomainResponseSchema, res, () => `deleted domain ${id}\n`);
  });
}
