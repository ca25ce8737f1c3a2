import { create } from "@bufbuild/protobuf";
import {
  CreateTokenResponseSchema,
  DeleteTokenResponseSchema,
  GetTokenResponseSchema,
  ListTokensResponseSchema,
  Role,
  type Token,
} from "@switchyard/api";
import { type Command, Option } from "commander";
import { contextOf, parseLimit } from "../context.js";
import type { CliIo } from "../io.js";
import { type Column, formatDetails, formatTable, formatTime } from "../output.js";
import { collectPages } from "../pagination.js";
import { noteMore, withLimit } from "./shared.js";

const roles = { admin: Role.ADMIN, editor: Role.EDITOR, viewer: Role.VIEWER } as const;

function formatRole(role: Role): string {
  return Object.entries(roles).find(([, r]) => r === role)?.[0] ?? "unspecified";
}

const columns: Column<Token>[] = [
  { header: "id", value: (t) => t.id },
  { header: "name", value: (t) => t.name },
  { header: "role", value: (t) => formatRole(t.role) },
  { header: "projects", value: (t) => t.projectIds.join(",") || "*", maxWidth: 40 },
  { header: "created", value: (t) => formatTime(t.createTime) },
  { header: "last used", value: (t) => formatTime(t.lastUsedTime) || "never" },
];

function details(t: Token | undefined): string {
  if (!t) return "";
  return formatDetails([
    ["id", t.id],
    ["name", t.name],
    ["role", formatRole(t.role)],
    ["projects", t.projectIds.join(", ") || "(all)"],
    ["created", formatTime(t.createTime)],
    ["last used", formatTime(t.lastUsedTime) || "never"],
  ]);
}

/** `switchyard tokens list|get|create|delete`: API bearer tokens (admin only). */
export function tokensCommand(program: Command, io: CliIo): void {
  const tokens = program.command("tokens").description("manage API tokens (needs an admin token)");

  withLimit(tokens.command("list").description("list tokens")).action(
    async (flags: { limit?: string }, cmd) => {
      const ctx = contextOf(io, cmd);
      const page = await collectPages(async (pageSize, pageToken) => {
        const res = await ctx.client.tokens.listTokens({ pageSize, pageToken });
        return { items: res.tokens, nextPageToken: res.nextPageToken };
      }, parseLimit(flags.limit));
      ctx.emit(
        ListTokensResponseSchema,
        create(ListTokensResponseSchema, { tokens: page.items, nextPageToken: page.nextPageToken }),
        () => formatTable(columns, page.items),
      );
      noteMore(ctx, page);
    },
  );

  tokens
    .command("get")
    .description("show one token (never its secret)")
    .argument("<id>", "token id")
    .action(async (id: string, _flags, cmd) => {
      const ctx = contextOf(io, cmd);
      const res = await ctx.client.tokens.getToken({ id });
      ctx.emit(GetTokenResponseSchema, res, () => details(res.token));
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
    .option("--project <id...>", "limit it to these projects (default: all projects)")
    .action(async (name: string, flags: { role: keyof typeof roles; project?: string[] }, cmd) => {
      const ctx = contextOf(io, cmd);
      const res = await ctx.client.tokens.createToken({
        token: { name, role: roles[flags.role], projectIds: flags.project ?? [] },
      });
      ctx.emit(
        CreateTokenResponseSchema,
        res,
        () => `${details(res.token)}\nsecret: ${res.secret}\n`,
      );
      // The notice goes to stderr in JSON and YAML output so stdout stays one document.
      const notice = "Store this secret now: it will not be shown again.\n";
      if (ctx.output !== "table") io.err(notice);
      else io.out(notice);
    });

  tokens
    .command("delete")
    .description("delete (revoke) a token")
    .argument("<id>", "token id")
    .action(async (id: string, _flags, cmd) => {
      const ctx = contextOf(io, cmd);
      const res = await ctx.client.tokens.deleteToken({ id });
      ctx.emit(DeleteTokenResponseSchema, res, () => `deleted token ${id}\n`);
    });
}
