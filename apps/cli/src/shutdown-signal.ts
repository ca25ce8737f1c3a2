/** The signals that stop a server gracefully: Ctrl-C and what orchestrators send. */
const signals = ["SIGINT", "SIGTERM"] as const;

/**
 * Resolves with the first SIGINT or SIGTERM. A second one while shutting down
 * exits at once with 128 + signal number, as shells report a killed process.
 */
export function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const first = (signal: NodeJS.Signals) => {
      for (const s of signals) {
        process.off(s, first);
        process.once(s, (again: NodeJS.Signals) => process.exit(again === "SIGINT" ? 130 : 143));
      }
      resolve(signal);
    };
    for (const s of signals) process.on(s, first);
  });
}
