import { type Command, Option } from "commander";
import type { CommandContext } from "../context.js";
import type { Page } from "../pagination.js";
import { UsageError } from "../usage-error.js";

/** Adds `--limit N`, `--page-size N` and `--page-token TOKEN` to a list command. */
export function withPaging(command: Command): Command {
  return command
    .option("--limit <n>", "stop after N items (default: every page)")
    .option("--page-size <n>", "read one page of at most N items, 1..1000 (not with --limit)")
    .option("--page-token <token>", "start where an earlier list stopped (its next page token)");
}

/** Adds `--etag ETAG` to an update or delete command. */
export function withEtag(command: Command): Command {
  return command.option(
    "--etag <etag>",
    "only if the resource is still at this etag (else exit 5)",
  );
}

/** The rate-limit flags shared by rules and projects. */
export function withRateLimit(command: Command): Command {
  return command
    .option(
      "--rate-limit <limit/window>",
      "requests per window, e.g. 100/1m (units ms, s, m, h, d)",
    )
    .option("--no-rate-limit", "remove the rate limit")
    .addOption(
      new Option("--rate-limit-key <key>", "count per ip, subject or header:NAME (default ip)"),
    )
    .option("--rate-limit-skip-successful", "refund requests the upstream answered below 400")
    .option("--rate-limit-skip-failed", "refund requests that failed or got 400 and above");
}

/**
 * An update with an empty update_mask rewrites every field (AIP-134), so the CLI
 * refuses one rather than reset what the operator did not name.
 */
export function requireChanges(paths: readonly string[], flags: string): void {
  if (paths.length === 0) throw new UsageError(`nothing to update: give at least one of ${flags}`);
}

/**
 * After a list cut short by --limit or --page-size, tells a person (on stderr) that more exist
 * and how to read on; JSON and YAML output carry the token as next_page_token.
 */
export function noteMore(ctx: CommandContext, page: Page<unknown>): void {
  if (page.nextPageToken !== "" && ctx.output === "table") {
    ctx.io.err(`(more results exist; read on with --page-token ${page.nextPageToken})\n`);
  }
}
