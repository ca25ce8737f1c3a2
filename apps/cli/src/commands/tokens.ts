import { create } from "@bufbuild/protobuf";
import {
  CreateTokenResponseSchema,
  GetTokenResponseSchema,
  ListTokensResponseSchema,
  Role,
  type Token,
} from "@switchyard/api";
import { type Command, Option } from "commander";
import { contextOf } from "../context.js";
import type { CliIo } from "../io.js";
import { Names } from "../names.js";
import { type Column, formatDetails, formatTable, formatTime } from "../output.js";
import { type PagingFlags, readPages } from "../pagination.js";
import { noteMore, withPaging } from "./shared.js";

const roles = { admin: Role.ADMIN, editor: Role.EDITOR, viewer: Role.VIEWER } as const;

function formatRole(role: Role): string {
  return Object.entries(roles).find(([, r]) => r === role)?.[0] ?? "unspecified";
}

function columns(projectName: (id: string) => string): Column<Token>[] {
  return [
    { header: "id", value: (t) => t.id },
    { header: "name", value: (t) => t.name },
    { header: "role", value: (t) => formatRole(t.role) },
    {
      header: "projects",
      value: (t) => t.projectIds.map(projectName).join(",") || "*",
      maxWidth: 40,
    },
    { header: "created", value: (t) => formatTime(t.createTime) },
    { header: "last used", value: (t) => formatTime(t.lastUsedTime) || "never" },
  ];
}

function details(t: Token | undefined, projectName: (id: string) => string): string {
  if (!t) return "";
  return formatDetails([
    ["id", t.id],
    ["name", t.name],
    ["role", formatRole(t.role)],
    ["projects", t.projectIds.map((id) => `${projectName(id)} (${id})`).join(", ") || "(all)"],
    ["created", formatTime(t.createTime)],
    ["last used", formatTime(t.lastUsedTime) || "never"],
  ]);
}

/** `switchyard tokens list|get|create|delete`: API bearer tokens (admin only). */
export function tokensCommand(program: Command, io: CliIo): void {
  const tokens = program.command("tokens").description("manage API tokens (needs an admin token)");

  withPaging(tokens.command("list").description("list tokens")).action(
    async (flags: PagingFlags, cmd) => {
      const ctx = contextOf(io, cmd);
      const page = await readPages(flags, async (pageSize, pageToken) => {
        const res = await ctx.client.tokens.listTokens({ pageSize, pageToken });
        return { items: res.tokens, nextPageToken: res.nextPageToken };
      });
      const projectName = await projectNames(ctx.output, new Names(ctx.client));
      ctx.emit(
        ListTokensResponseSchema,
        create(ListTokensResponseSchema, { tokens: page.items, nextPageToken: page.nextPageToken }),
        () => formatTable(columns(projectName), page.items),
      );
      noteMore(ctx, page);
    },
  );

  tokens
    .command("get")
    .description("show one token (never its secret)")
    .argument("<token>", "token name or id")
    .action(async (token: string, _flags, cmd) => {
      const ctx = contextOf(io, cmd);
      const names = new Names(ctx.client);
      const res = await ctx.client.tokens.getToken({ id: await names.tokenId("<token>", token) });
      const projectName = await projectNames(ctx.output, names);
      ctx.emit(GetTokenResponseSchema, res, () => details(res.token, projectName));
    });

  tokens
    .command("create")
    .description("create a token and print its secret, once")
    .argument("<name>", "what the token is for")
    .addOption(
      new Option("--role <role>", "what it may do")
        .choices(Object.keys(roles))
        .makeOptionMandatory(),
    )
    .option(
      "--project <project...>",
      "limit it to these projects, by name or id (default: all projects)",
    )
    .action(async (name: string, flags: { role: keyof typeof roles; project?: string[] }, cmd) => {
      const ctx = contextOf(io, cmd);
      const names = new Names(ctx.client);
      const projectIds: string[] = [];
      for (const project of flags.project ?? []) {
        projectIds.push(await names.projectId("--project", project));
      }
      const res = await ctx.client.tokens.createToken({
        token: { name, role: roles[flags.role], projectIds },
      });
      const projectName = await projectNames(ctx.output, names);
      ctx.emit(
        CreateTokenResponseSchema,
        res,
        () => `${details(res.token, projectName)}\nsecret: ${res.secret}\n`,
      );
      // The notice goes to stderr in JSON and YAML output so stdout stays one document.
      const notice = "Store this secret now: it will not be shown again.\n";
      if (ctx.output !== "table") io.err(notice);
      else io.out(notice);
    });

  tokens
    .command("delete")
    .description("delete (revoke) a token (prints it as it was)")
    .argument("<token>", "token name or id")
    .action(async (token: string, _flags, cmd) => {
      const ctx = contextOf(io, cmd);
      const id = await new Names(ctx.client).tokenId("<token>", token);
      const deleted = await ctx.client.tokens.getToken({ id });
      await ctx.client.tokens.deleteToken({ id });
      const name = deleted.token?.name ?? "";
      ctx.emit(GetTokenResponseSchema, deleted, () => `deleted token ${name} (${id})\n`);
    });
}

/** Project names for a table (one List call); none are read for JSON or YAML output. */
async function projectNames(output: string, names: Names): Promise<(id: string) => string> {
  return output === "table" ? names.projectNames() : String;
}
