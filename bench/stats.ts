/**
 * Small statistics of the benchmarks: percentiles (nearest rank, as the simulator's fleet figures
 * use) and rounding for the table.
 */
import { quantile } from '../hal/sim/index.js';

/** The p50 and p99 of `xs` (nearest rank); 0 when empty. */
export function percentiles(xs: readonly number[]): { readonly p50: number; readonly p99: number } {
  const sorted = [...xs].sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
}

/** `x` rounded to `digits` decimals. */
export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
