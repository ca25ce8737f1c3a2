/**
 * Everything a fleet benchmark starts (redis-server, control plane, workers, temp directories)
 * is registered here and stopped in reverse order when the run ends, fails, or is interrupted
 * (Ctrl-C, SIGTERM). Children are also armed with testkit's `killWithThisProcess`, which kills
 * them even when this process dies without running any JavaScript.
 */
type Cleanup = () => Promise<void>;

const cleanups: { name: string; run: Cleanup }[] = [];
let stopping: Promise<void> | undefined;

/** Registers `run` (to stop or remove `name`); returns the function that unregisters it. */
export function onCleanup(name: string, run: Cleanup): () => void {
  const entry = { name, run };
  cleanups.push(entry);
  return () => {
    const at = cleanups.indexOf(entry);
    if (at >= 0) cleanups.splice(at, 1);
  };
}

/** Runs every registered cleanup, newest first, each at most once; never rejects. */
export function cleanupAll(): Promise<void> {
  stopping ??= (async () => {
    while (cleanups.length > 0) {
      const { name, run } = cleanups.pop()!;
      try {
        await run();
      } catch (error) {
        console.error(
          `cleanup of ${name} failed: ${error instanceof Error ? error.message : error}`,
        );
      }
    }
  })().finally(() => {
    stopping = undefined;
  });
  return stopping;
}

/**
 * Runs `main`, then cleans up; on SIGINT or SIGTERM cleans up and exits 130/143. The exit code
 * is 1 when `main` throws or an exception escapes (after the error is printed).
 */
export function runBench(main: () => Promise<void>): void {
  let interrupted = false;
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      console.error(`\n${signal}: stopping everything this benchmark started`);
      void cleanupAll().finally(() => process.exit(code));
    });
  }
  process.on("uncaughtException", (error) => {
    console.error(error.stack ?? error.message);
    if (interrupted) return;
    interrupted = true;
    void cleanupAll().finally(() => process.exit(1));
  });
  // A stopped redis-server's handle is unref'd: keep the loop alive until cleanup finished.
  const alive = setInterval(() => {}, 1000);
  main()
    .then(
      () => cleanupAll(),
      async (error: unknown) => {
        // After Ctrl-C, the run fails because its processes were stopped: not worth printing.
        if (interrupted) return;
        console.error(error instanceof Error ? (error.stack ?? error.message) : error);
        process.exitCode = 1;
        await cleanupAll();
      },
    )
    .finally(() => {
      clearInterval(alive);
      if (!interrupted) process.exit();
    });
}
