import { create } from "@bufbuild/protobuf";
import {
  CreateDomainResponseSchema,
  type Domain,
  GetDomainResponseSchema,
  ListDomainsResponseSchema,
  UpdateDomainResponseSchema,
} from "@switchyard/api";
import type { Command } from "commander";
import { type CommandContext, contextOf } from "../context.js";
import type { CliIo } from "../io.js";
import { isIdOf, type Labels, Names } from "../names.js";
import { type Column, formatDetails, formatTable, formatTime } from "../output.js";
import { type PagingFlags, readPages } from "../pagination.js";
import { noteMore, requireChanges, withEtag, withPaging } from "./shared.js";

function columns(label: Labels): Column<Domain>[] {
  return [
    { header: "id", value: (d) => d.id },
    { header: "host", value: (d) => d.host },
    { header: "project", value: (d) => label.project(d.projectId) },
    { header: "alias", value: (d) => (d.aliasId ? label.alias(d.aliasId) : "-") },
    { header: "updated", value: (d) => formatTime(d.updateTime) },
  ];
}

function details(d: Domain | undefined, label: Labels): string {
  if (!d) return "";
  return formatDetails([
    ["id", d.id],
    ["host", d.host],
    ["project", `${label.project(d.projectId)} (${d.projectId})`],
    ["alias", d.aliasId ? `${label.alias(d.aliasId)} (${d.aliasId})` : "(project defaults)"],
    ["etag", d.etag],
    ["created", formatTime(d.createTime)],
    ["updated", formatTime(d.updateTime)],
  ]);
}

/** The project and alias names of these domains, read only for table output. */
async function labelsFor(ctx: CommandContext, names: Names, domains: Domain[]): Promise<Labels> {
  if (ctx.output !== "table") return { project: String, alias: String };
  return names.labels(domains.filter((d) => d.aliasId !== "").map((d) => d.projectId));
}

/** `switchyard domains list|get|create|update|delete`: the hosts that route to a project. */
export function domainsCommand(program: Command, io: CliIo): void {
  const domains = program
    .command("domains")
    .description("manage domains (hosts routed to a project)");

  withPaging(domains.command("list").description("list domains"))
    .option(
      "--project <project>",
      "only this project's, by name or id (default: every project you can see)",
    )
    .action(async (flags: PagingFlags & { project?: string }, cmd) => {
      const ctx = contextOf(io, cmd);
      const names = new Names(ctx.client);
      const projectId =
        flags.project === undefined ? "" : await names.projectId("--project", flags.project);
      const page = await readPages(flags, async (pageSize, pageToken) => {
        const res = await ctx.client.projects.listDomains({ projectId, pageSize, pageToken });
        return { items: res.domains, nextPageToken: res.nextPageToken };
      });
      const label = await labelsFor(ctx, names, page.items);
      ctx.emit(
        ListDomainsResponseSchema,
        create(ListDomainsResponseSchema, {
          domains: page.items,
          nextPageToken: page.nextPageToken,
        }),
        () => formatTable(columns(label), page.items),
      );
      noteMore(ctx, page);
    });

  domains
    .command("get")
    .description("show one domain")
    .argument("<domain>", "host or domain id")
    .action(async (domain: string, _flags, cmd) => {
      const ctx = contextOf(io, cmd);
      const names = new Names(ctx.client);
      const res = await ctx.client.projects.getDomain({
        id: await names.domainId("<domain>", domain),
      });
      const label = await labelsFor(ctx, names, res.domain ? [res.domain] : []);
      ctx.emit(GetDomainResponseSchema, res, () => details(res.domain, label));
    });

  domains
    .command("create")
    .description("route a host to a project")
    .argument("<host>", 'exact host ("app.example.com") or leading wildcard ("*.example.com")')
    .requiredOption("--project <project>", "project name or id")
    .option("--alias <alias>", "alias name or id (default: the project's default rules)")
    .action(async (host: string, flags: { project: string; alias?: string }, cmd) => {
      const ctx = contextOf(io, cmd);
      const names = new Names(ctx.client);
      const projectId = await names.projectId("--project", flags.project);
      const aliasId =
        flags.alias === undefined ? "" : await names.aliasId("--alias", flags.alias, projectId);
      const res = await ctx.client.projects.createDomain({
        domain: { host, projectId, aliasId },
      });
      const label = await labelsFor(ctx, names, res.domain ? [res.domain] : []);
      ctx.emit(CreateDomainResponseSchema, res, () => details(res.domain, label));
    });

  withEtag(
    domains
      .command("update")
      .description("change a domain (only the given fields)")
      .argument("<domain>", "host or domain id")
      .option("--host <host>", "new host")
      .option("--alias <alias>", "route to this alias (name or id)")
      .option("--no-alias", "route to the project's default rules"),
  ).action(
    async (
      domain: string,
      flags: { host?: string; alias?: string | false; etag?: string },
      cmd,
    ) => {
      const paths: string[] = [];
      if (flags.host !== undefined) paths.push("host");
      if (flags.alias !== undefined) paths.push("alias_id");
      requireChanges(paths, "--host, --alias, --no-alias");
      const ctx = contextOf(io, cmd);
      const names = new Names(ctx.client);
      const id = await names.domainId("<domain>", domain);
      let aliasId = "";
      if (flags.alias && isIdOf("als", flags.alias)) aliasId = flags.alias;
      else if (flags.alias) {
        // An alias name means one of the domain's project's aliases.
        const projectId = (await ctx.client.projects.getDomain({ id })).domain?.projectId;
        aliasId = await names.aliasId("--alias", flags.alias, projectId);
      }
      const res = await ctx.client.projects.updateDomain({
        domain: { id, etag: flags.etag ?? "", host: flags.host ?? "", aliasId },
        updateMask: { paths },
      });
      const label = await labelsFor(ctx, names, res.domain ? [res.domain] : []);
      ctx.emit(UpdateDomainResponseSchema, res, () => details(res.domain, label));
    },
  );

  withEtag(
    domains
      .command("delete")
      .description("delete a domain (prints it as it was)")
      .argument("<domain>", "host or domain id"),
  ).action(async (domain: string, flags: { etag?: string }, cmd) => {
    const ctx = contextOf(io, cmd);
    const id = await new Names(ctx.client).domainId("<domain>", domain);
    const deleted = await ctx.client.projects.getDomain({ id });
    await ctx.client.projects.deleteDomain({ id, etag: flags.etag ?? "" });
    const host = deleted.domain?.host ?? "";
    ctx.emit(GetDomainResponseSchema, deleted, () => `deleted domain ${host} (${id})\n`);
  });
}
