import { clone } from "@bufbuild/protobuf";
import {
  type ConfigSnapshot,
  GetConfigRevisionResponseSchema,
  GetConfigSnapshotResponseSchema,
  RuleSchema,
  SECRET_MASK,
} from "@switchyard/api";
import type { Command } from "commander";
import { contextOf } from "../context.js";
import type { CliIo } from "../io.js";
import { formatDetails, formatTime } from "../output.js";

/**
 * The snapshot with every secret header value masked and no ciphertext. The API already
 * sends it so (config.proto); masking again means no server, however old or wrong, can
 * make this command print a secret.
 */
export function maskSnapshot(snapshot: ConfigSnapshot | undefined): ConfigSnapshot | undefined {
  if (snapshot === undefined) return undefined;
  return {
    ...snapshot,
    rules: snapshot.rules.map((rule) => {
      const masked = clone(RuleSchema, rule);
      for (const header of masked.headerConfig?.add ?? []) {
        if (header.secret) header.value = SECRET_MASK;
        header.encryptedValue = "";
      }
      return masked;
    }),
  };
}

/** `switchyard config revision|snapshot`: the config the control plane serves to workers. */
export function configCommand(program: Command, io: CliIo): void {
  const config = program
    .command("config")
    .description("the config revision and snapshot the workers serve");

  config
    .command("revision")
    .description("the current config revision and when it was committed")
    .action(async (_flags, cmd) => {
      const ctx = contextOf(io, cmd);
      const res = await ctx.client.config.getConfigRevision({});
      ctx.emit(GetConfigRevisionResponseSchema, res, () =>
        formatDetails([
          ["revision", String(res.revision)],
          ["committed", formatTime(res.updateTime)],
        ]),
      );
    });

  config
    .command("snapshot")
    .description(
      "everything the workers route by, at the current revision (secret values masked; use -o yaml or -o json for all of it)",
    )
    .action(async (_flags, cmd) => {
      const ctx = contextOf(io, cmd);
      const res = await ctx.client.config.getConfigSnapshot({});
      res.snapshot = maskSnapshot(res.snapshot);
      const s = res.snapshot;
      ctx.emit(GetConfigSnapshotResponseSchema, res, () =>
        formatDetails([
          ["revision", String(s?.revision ?? 0n)],
          ["created", formatTime(s?.createTime)],
          ["projects", String(s?.projects.length ?? 0)],
          ["aliases", String(s?.aliases.length ?? 0)],
          ["domains", String(s?.domains.length ?? 0)],
          ["rules", String(s?.rules.length ?? 0)],
        ]),
      );
    });
}
