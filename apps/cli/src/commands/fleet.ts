import { type FleetWorker, GetFleetStatusResponseSchema } from "@switchyard/api";
import type { Command } from "commander";
import { contextOf } from "../context.js";
import type { CliIo } from "../io.js";
import { type Column, formatBool, formatTable, formatTime } from "../output.js";

const columns: Column<FleetWorker>[] = [
  { header: "worker", value: (w) => w.id },
  { header: "host", value: (w) => w.hostName },
  { header: "pid", value: (w) => String(w.pid) },
  { header: "version", value: (w) => w.version },
  { header: "revision", value: (w) => String(w.revision) },
  { header: "behind", value: (w) => String(w.revisionsBehind) },
  {
    header: "stale",
    value: (w) => (w.stale && w.staleReason ? `yes (${w.staleReason})` : formatBool(w.stale)),
  },
  { header: "applied", value: (w) => formatTime(w.appliedTime) },
  { header: "heartbeat", value: (w) => formatTime(w.heartbeatTime) },
];

/** `switchyard fleet status`: every live worker, the revision it serves and how far behind it is. */
export function fleetCommand(program: Command, io: CliIo): void {
  const fleet = program.command("fleet").description("the proxy workers serving the config");

  fleet
    .command("status")
    .description("every live worker, its revision, how far behind it is, its last heartbeat")
    .action(async (_flags, cmd) => {
      const ctx = contextOf(io, cmd);
      const res = await ctx.client.config.getFleetStatus({});
      ctx.emit(GetFleetStatusResponseSchema, res, () => {
        const lagging = res.workers.filter((w) => w.revisionsBehind > 0n).length;
        const stale = res.workers.filter((w) => w.stale).length;
        const summary =
          `store revision ${res.revision}; ${res.workers.length} live worker` +
          `${res.workers.length === 1 ? "" : "s"}` +
          `${lagging > 0 ? `, ${lagging} behind` : ""}` +
          `${stale > 0 ? `, ${stale} stale` : ""}\n`;
        return res.workers.length === 0
          ? summary
          : `${formatTable(columns, res.workers)}${summary}`;
      });
    });
}
