/**
 * The figures of a chaos run: faults injected by kind, invariant violations by kind, convergence
 * wakes (p50/p99), how wakes ended and with which codes, cycle times, the spread of sleeps after
 * the outages; as one JSON object (`--json`) or as a table.
 */
import { FAULT_KIND_NAMES } from '../../hal/sim/faults/index.js';
import { INVARIANTS } from './history.js';
import type { InvariantName, Violation } from './history.js';
import { CONVERGENCE_BOUND, convergenceWakes, outageSpread } from './invariants/index.js';
import type { ChaosRun } from './run.js';

/** The figures of a run, as `--json` prints them. */
export interface ChaosFigures {
  readonly seed: number;
  readonly devices: number;
  readonly wakesPerDevice: number;
  readonly wakes: number;
  readonly wallSeconds: number;
  readonly faults: Readonly<Record<string, number>>;
  readonly faultedWakes: number;
  readonly powerCuts: Readonly<Record<string, number>>;
  readonly violations: Readonly<Record<InvariantName, number>>;
  readonly violationCount: number;
  readonly convergence: { readonly episodes: number; readonly notConverged: number; readonly p50?: number; readonly p99?: number; readonly max?: number; readonly bound: number };
  readonly ends: Readonly<Record<string, number>>;
  readonly errors: Readonly<Record<string, number>>;
  /** Wakes that failed with no fault injected into them: the run's own load (a timeout), or a bug. */
  readonly unplannedErrors: Readonly<Record<string, number>>;
  readonly cycleMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly desiredChanges: number;
  readonly handlerRuns: number;
  readonly acknowledgedReports: number;
  readonly outageSpread: readonly { readonly episode: number; readonly attempt: number; readonly devices: number; readonly distinct: number; readonly min: number; readonly max: number }[];
  readonly stoppedEarly: boolean;
}

/** The `q` quantile (0..1) of sorted numbers. */
export function quantileOf(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

function bump(o: Record<string, number>, k: string, n = 1): void {
  o[k] = (o[k] ?? 0) + n;
}

/** The figures of `run`. */
export function figuresOf(run: ChaosRun, seed: number, wakesPerDevice: number): ChaosFigures {
  const h = run.history;
  const faults: Record<string, number> = {};
  for (const k of FAULT_KIND_NAMES) faults[k] = 0;
  const powerCuts: Record<string, number> = {};
  const ends: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const unplanned: Record<string, number> = {};
  const cycles: number[] = [];
  let wakes = 0;
  let faulted = 0;
  let runs = 0;
  let acks = 0;
  let changes = 0;
  for (const d of h.devices) {
    changes += d.changes.length;
    acks += d.acks.length;
    for (const w of d.wakes) {
      wakes++;
      cycles.push(w.cycleMs);
      bump(ends, w.end.kind);
      const struck = [...w.before, ...w.fired];
      if (w.summary?.error !== undefined) {
        bump(errors, w.summary.error);
        if (struck.length === 0) bump(unplanned, w.summary.error);
      }
      if (struck.length > 0) faulted++;
      for (const f of struck) {
        bump(faults, f.kind);
        if (f.kind === 'power-cut') bump(powerCuts, f.detail ?? 'any');
      }
      runs += w.executions.length;
    }
  }
  cycles.sort((a, b) => a - b);
  const violations = {} as Record<InvariantName, number>;
  for (const k of INVARIANTS) violations[k] = 0;
  for (const v of run.violations) violations[v.invariant]++;
  const conv = convergenceWakes(h);
  const got = conv.map((c) => c.wakes).filter((n): n is number => n !== undefined).sort((a, b) => a - b);
  const convergence = {
    episodes: conv.length,
    notConverged: conv.length - got.length,
    ...(got.length > 0 ? { p50: quantileOf(got, 0.5) as number, p99: quantileOf(got, 0.99) as number, max: got[got.length - 1] as number } : {}),
    bound: CONVERGENCE_BOUND,
  };
  return {
    seed,
    devices: h.devices.length,
    wakesPerDevice,
    wakes,
    wallSeconds: Math.round(run.wallMs / 100) / 10,
    faults,
    faultedWakes: faulted,
    powerCuts,
    violations,
    violationCount: run.violations.length,
    convergence,
    ends,
    errors,
    unplannedErrors: unplanned,
    cycleMs: { p50: Math.round(quantileOf(cycles, 0.5) ?? 0), p99: Math.round(quantileOf(cycles, 0.99) ?? 0), max: Math.round(cycles[cycles.length - 1] ?? 0) },
    desiredChanges: changes,
    handlerRuns: runs,
    acknowledgedReports: acks,
    outageSpread: outageSpread(h),
    stoppedEarly: run.stoppedEarly,
  };
}

function table(rows: readonly (readonly [string, string])[], title: string): string {
  const w = Math.max(...rows.map((r) => r[0].length));
  return [title, ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`)].join('\n');
}

/** The figures as text tables. */
export function formatFigures(f: ChaosFigures): string {
  const faultRows = Object.entries(f.faults).map(([k, n]): [string, string] => [k, String(n)]);
  const cutDetail = Object.entries(f.powerCuts).sort().map(([k, n]) => `${k} ${n}`).join(', ');
  const violationRows = Object.entries(f.violations).map(([k, n]): [string, string] => [k, String(n)]);
  const c = f.convergence;
  const spread = f.outageSpread.filter((s) => s.devices >= 2);
  const distinctShare = spread.length === 0 ? 'no outage' : `${spread.filter((s) => s.distinct > 1).length}/${spread.length} backoff steps with distinct sleeps across devices`;
  const lines = [
    `chaos seed ${f.seed}: ${f.devices} devices × ${f.wakesPerDevice} wakes = ${f.wakes} wakes in ${f.wallSeconds} s${f.stoppedEarly ? ' (stopped early)' : ''}`,
    '',
    table(faultRows, `faults injected (${f.faultedWakes} wakes faulted, ${Object.values(f.faults).reduce((a, b) => a + b, 0)} faults)`),
    cutDetail !== '' ? `  (power cuts at: ${cutDetail})` : '',
    '',
    table(violationRows, `invariant violations: ${f.violationCount}`),
    '',
    table(
      [
        ['convergence', c.p50 !== undefined ? `p50 ${c.p50} wake${c.p50 === 1 ? '' : 's'}, p99 ${c.p99} (max ${c.max}, bound ${c.bound}) over ${c.episodes} device-episodes${c.notConverged > 0 ? `, ${c.notConverged} did not converge` : ''}` : 'no quiet phase'],
        ['wake ends', Object.entries(f.ends).map(([k, n]) => `${k} ${n}`).join(', ')],
        ['wake errors', Object.entries(f.errors).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'],
        ['unplanned', `${Object.entries(f.unplannedErrors).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'} (failed wakes with no fault injected: the run's own load, or a bug)`],
        ['cycle', `p50 ${f.cycleMs.p50} ms, p99 ${f.cycleMs.p99} ms, max ${f.cycleMs.max} ms`],
        ['driver', `${f.desiredChanges} desired changes, ${f.handlerRuns} handler runs, ${f.acknowledgedReports} reports acknowledged`],
        ['after outages', distinctShare],
      ],
      'figures',
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** One violation as a line, with the command that replays the run. */
export function formatViolation(v: Violation, replay: string): string {
  const where = v.device === 0 ? `wake ${v.wake} (fleet)` : `device ${v.device} wake ${v.wake}`;
  return `violation: ${v.invariant}: ${where}: ${v.message} — replay: ${replay}`;
}
