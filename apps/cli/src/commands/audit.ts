import { create } from "@bufbuild/protobuf";
import { type Timestamp, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type AuditEvent, ListAuditEventsResponseSchema } from "@switchyard/api";
import type { Command } from "commander";
import { contextOf } from "../context.js";
import type { CliIo } from "../io.js";
import { isIdOf, Names } from "../names.js";
import { type Column, formatTable, formatTime } from "../output.js";
import { type PagingFlags, readPages } from "../pagination.js";
import { UsageError } from "../usage-error.js";
import { noteMore, withPaging } from "./shared.js";

const columns: Column<AuditEvent>[] = [
  { header: "time", value: (e) => formatTime(e.time) },
  { header: "actor", value: (e) => e.actor, maxWidth: 40 },
  { header: "action", value: (e) => e.action.replace(/^switchyard\.v1\./, "") },
  { header: "resource", value: (e) => e.resource },
  { header: "revision", value: (e) => (e.revision === 0n ? "-" : String(e.revision)) },
];

const unitMs: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

// RFC 3339 §5.6: full-date "T" full-time, with a "Z" or numeric offset (or a full-date alone).
const RFC_3339 = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2}))?$/;

/**
 * `--since`: a duration back from `now` (`90s`, `30m`, `1h`, `7d`) or an RFC 3339 time
 * (`2025-01-31T12:00:00Z`; a date alone is its midnight UTC).
 */
export function parseSince(value: string, now = new Date()): Timestamp {
  const v = value.trim();
  const duration = /^(\d+)\s*(s|m|h|d)$/.exec(v);
  if (duration) {
    return timestampFromDate(new Date(now.getTime() - Number(duration[1]) * unitMs[duration[2]!]!));
  }
  const time = RFC_3339.test(v) ? new Date(v.replace(" ", "T")) : undefined;
  if (time === undefined || Number.isNaN(time.getTime())) {
    throw new UsageError(
      `--since: "${value}" is neither a duration (30m, 1h, 7d) nor an RFC 3339 time (2025-01-31T12:00:00Z)`,
    );
  }
  return timestampFromDate(time);
}

/** `projects/web` as `projects/prj_…`: the resource names of the log hold ids. */
async function resourcePrefix(names: Names, value: string): Promise<string> {
  const match = /^projects\/([^/]+)$/.exec(value);
  if (match === null || isIdOf("prj", match[1]!)) return value;
  return `projects/${await names.projectId("--resource", match[1]!)}`;
}

interface AuditFlags extends PagingFlags {
  actor?: string;
  resource?: string;
  since?: string;
}

/** `switchyard audit list`: who changed what, newest first. */
export function auditCommand(program: Command, io: CliIo): void {
  const audit = program
    .command("audit")
    .description("the audit log: every change, who made it and the revision it produced");

  withPaging(audit.command("list").description("list changes, newest first"))
    .option("--actor <actor>", 'only changes by this token (name or id), or "bootstrap-admin"')
    .option(
      "--resource <prefix>",
      'only changes of resources whose name starts with this, e.g. "rules/", "projects/web"',
    )
    .option("--since <when>", "only changes since a duration ago (1h, 7d) or an RFC 3339 time")
    .action(async (flags: AuditFlags, cmd) => {
      const since = flags.since === undefined ? undefined : parseSince(flags.since);
      const ctx = contextOf(io, cmd);
      const names = new Names(ctx.client);
      const prefix =
        flags.resource === undefined ? "" : await resourcePrefix(names, flags.resource);
      const page = await readPages(flags, async (pageSize, pageToken) => {
        const res = await ctx.client.audit.listAuditEvents({
          pageSize,
          pageToken,
          resourcePrefix: prefix,
          actor: flags.actor ?? "",
          since,
        });
        return { items: res.events, nextPageToken: res.nextPageToken };
      });
      ctx.emit(
        ListAuditEventsResponseSchema,
        create(ListAuditEventsResponseSchema, {
          events: page.items,
          nextPageToken: page.nextPageToken,
        }),
        () => formatTable(columns, page.items),
      );
      noteMore(ctx, page);
    });
}
