/** Options for {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this long. Default 5000 ms. */
  timeoutMs?: number;
  /** Pause between attempts. Default 20 ms. */
  intervalMs?: number;
  /** What is being waited for, used in the timeout error. Default "condition". */
  description?: string;
}

type Truthy<T> = Exclude<T, false | 0 | "" | null | undefined>;

/**
 * Polls `predicate` until it returns (or resolves to) a truthy value, and resolves with that value.
 *
 * A predicate that throws counts as "not yet", so assertions work as predicates; after `timeoutMs`
 * (default 5000 ms, polling every `intervalMs`, default 20 ms) the promise rejects with the last
 * error thrown, or with an error naming `description` when the predicate merely stayed falsy.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<Truthy<Awaited<T>>> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const intervalMs = options.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as Truthy<Awaited<T>>;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      if (lastError !== undefined) throw lastError;
      const what = options.description ?? "condition";
      throw new Error(`waitFor: ${what} not met within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
