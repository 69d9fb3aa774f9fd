/**
 * Figures of a fleet run: wakes per second (over a sliding window and overall), failures by
 * code, and cycle-time percentiles. The progress display and the load tests read them.
 */
import type { WakeRecord } from './runner.js';

/** The failure code of a wake, or `undefined` when it went well. */
export function failureCode(r: Pick<WakeRecord, 'end' | 'summary' | 'error'>): string | undefined {
  if (r.end.kind === 'power-cut') return 'EPOWER';
  if (r.end.kind === 'watchdog') return 'EWATCHDOG';
  if (r.end.kind === 'crash') return 'ECRASH';
  if (r.error !== undefined) return 'ECRASH';
  const s = r.summary as { error?: unknown } | undefined;
  return s !== undefined && s !== null && typeof s.error === 'string' ? s.error : undefined;
}

/** A snapshot of the figures. */
export interface FleetSnapshot {
  readonly wakes: number;
  readonly failures: Readonly<Record<string, number>>;
  readonly failed: number;
  readonly elapsedMs: number;
  /** Over the last few seconds. */
  readonly wakesPerSecond: number;
  /** Over the whole run. */
  readonly meanWakesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** The value at quantile `q` (0..1) of sorted `xs` (nearest rank); 0 when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

/** Accumulates wake records. */
export class FleetStats {
  private readonly startedAt: number;
  private readonly cycles: number[] = [];
  private readonly recent: number[] = [];
  private readonly failures: Record<string, number> = {};
  private failed = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly windowMs = 5000,
  ) {
    this.startedAt = now();
  }

  /** Count one wake. */
  add(r: Pick<WakeRecord, 'end' | 'summary' | 'error' | 'cycleMs'>): void {
    this.cycles.push(r.cycleMs);
    this.recent.push(this.now());
    const code = failureCode(r);
    if (code !== undefined) {
      this.failures[code] = (this.failures[code] ?? 0) + 1;
      this.failed++;
    }
  }

  snapshot(): FleetSnapshot {
    const now = this.now();
    while (this.recent.length > 0 && (this.recent[0] as number) < now - this.windowMs) this.recent.shift();
    const elapsedMs = Math.max(1, now - this.startedAt);
    const window = Math.min(this.windowMs, elapsedMs);
    const sorted = [...this.cycles].sort((a, b) => a - b);
    return {
      wakes: this.cycles.length,
      failures: { ...this.failures },
      failed: this.failed,
      elapsedMs,
      wakesPerSecond: (this.recent.length * 1000) / window,
      meanWakesPerSecond: (this.cycles.length * 1000) / elapsedMs,
      p50Ms: quantile(sorted, 0.5),
      p99Ms: quantile(sorted, 0.99),
      maxMs: sorted.length > 0 ? (sorted[sorted.length - 1] as number) : 0,
    };
  }
}
