import type { FleetWorker } from "@switchyard/api";
import { type Command, Option } from "commander";
import { CliError } from "../cli-error.js";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { parseDuration } from "../flags.js";

/** How long `--wait` without a value waits for the fleet. */
export const DEFAULT_WAIT_MS = 30_000;
/** The longest wait the control plane accepts in one call (WaitForRevision's timeout_ms). */
const MAX_WAIT_MS = 300_000;

/** Adds `--wait[=DURATION]` to a mutating command; {@link waitAfterAction} acts on it. */
export function withWait(command: Command): Command {
  return command.addOption(
    new Option(
      "--wait [duration]",
      `return once every live worker serves the change (default ${DEFAULT_WAIT_MS / 1000}s; exit 8 naming the laggards after that)`,
    ),
  );
}

/** The `--wait` value of a command's flags in ms, or undefined when not given. */
export function waitMs(value: unknown): number | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return DEFAULT_WAIT_MS;
  return parseDuration("--wait", String(value));
}

/**
 * After a mutating command: when it was given `--wait` and committed a revision, waits until
 * every live worker serves that revision. Returns once the fleet converged; throws a
 * {@link CliError} with exit code 8 naming the workers that lag when the deadline passes.
 * Longer waits than one call allows are made of several calls.
 */
export async function waitForFleet(ctx: CommandContext, timeoutMs: number): Promise<void> {
  const revision = ctx.committedRevision;
  if (revision === undefined) {
    ctx.note("--wait: nothing to wait for (the command changed no config)");
    return;
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const slice = Math.max(1, Math.min(MAX_WAIT_MS, deadline - Date.now()));
    const res = await ctx.client.config.waitForRevision(
      { revision, timeoutMs: slice },
      { timeoutMs: slice + 10_000 },
    );
    if (res.converged) {
      const count = res.workers.length;
      ctx.note(`revision ${revision} is served by ${count} worker${count === 1 ? "" : "s"}`);
      return;
    }
    if (Date.now() >= deadline) {
      throw new CliError(lagMessage(revision, timeoutMs, res.workers), ExitCode.fleetLagging);
    }
  }
}

function lagMessage(revision: bigint, timeoutMs: number, workers: readonly FleetWorker[]): string {
  const lagging = workers.filter((w) => w.revision < revision);
  const seconds = `${timeoutMs / 1000}s`;
  if (workers.length === 0) {
    return `revision ${revision} committed, but no live worker was seen within ${seconds}`;
  }
  const names = lagging.map((w) => `${w.id} (${w.hostName}) serves ${w.revision}`).join(", ");
  return `revision ${revision} committed, but after ${seconds} ${lagging.length} of ${workers.length} workers lag: ${names}`;
}
