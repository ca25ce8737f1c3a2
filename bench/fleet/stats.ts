/** Order statistics and formatting shared by the fleet benchmarks. */

/** The `p`th percentile (nearest rank) of `values`; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const median = (values: readonly number[]) => percentile(values, 50);

/** `n` with `digits` decimals, or "–" for NaN. */
export function fmt(n: number, digits = 1): string {
  return Number.isNaN(n) ? "–" : n.toFixed(digits);
}

export const mib = (bytes: number) => bytes / 1024 / 1024;
