/**
 * Wakes on the simulator: one simulated device running the shipped `dist/app.min.js` (a fresh
 * `node:vm` context per wake) against a local cloud in this process, its wakes run back to back
 * (no real sleeps). Two kinds of wake:
 * - first wakes: a power-on after a power cut with a new `signal` in the desired state, so the
 *   wake syncs time over SNTP, GETs the shadow, blinks twice (600 ms of LED time) and POSTs;
 * - idle wakes: a timer wake with nothing to do (time from the RTC, one GET, no report).
 * Reports time awake (the wake's own `awakeMs`), bytes on the wire (HTTP, headers included;
 * TLS records and SNTP not counted), the cost of a fresh vm context and of loading the bundle.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { prepareDeviceDir } from '../cli/sim-setup.js';
import { failureCode, loadAppBundle, SimDevice } from '../hal/sim/index.js';
import type { WakeRecord } from '../hal/sim/index.js';
import type { WakeSummary } from '../src/wake-summary.js';
import { BUDGETS } from './budgets.js';
import type { BenchContext, BenchFigure } from './figure.js';
import { startBenchCloud } from './local-cloud.js';
import { percentiles, round } from './stats.js';

/** Options of {@link measureWakes}. */
export interface WakeBenchOptions {
  /** Power-on wakes with work to do. */
  readonly firstWakes: number;
  /** Timer wakes with nothing to do. */
  readonly idleWakes: number;
  /** The firmware bundle. */
  readonly appFile: string;
}

/** Defaults of {@link WakeBenchOptions} (besides the bundle). */
export const WAKE_BENCH_DEFAULTS = { firstWakes: 5, idleWakes: 30 };

/** The seed's desired state: what a new device finds on its first wake. */
const SEED_DESIRED = { sleep: 30, signal: 2, test: 'none', test_param: 1000 };

/** What {@link measureWakes} saw. */
export interface WakeMeasurements {
  readonly first: readonly WakeRecord[];
  readonly idle: readonly WakeRecord[];
  /** `loadAppBundle`: read, compile, run once in a context (ms). */
  readonly bundleLoadMs: number;
}

/** Resolves just after the host clock enters its next whole second. */
function nextSecond(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1005 - (Date.now() % 1000)));
}

/** Run the wakes and return their records. */
export async function measureWakes(o: WakeBenchOptions): Promise<WakeMeasurements> {
  // AWS's throttling is off: back-to-back idle wakes ask more than 20 requests/s of one thing.
  const bench = await startBenchCloud({ throttle: false });
  const { cloud } = bench;
  const thing = 'bench-wake-1';
  let device: SimDevice | undefined;
  try {
    const dir = join(bench.dir, 'devices', thing);
    await prepareDeviceDir({ dir, thing, forceThing: true, cloudDir: cloud.dataDir, env: {} });
    cloud.shadows.update({ thing }, { state: { desired: SEED_DESIRED } }, cloud.credentials.accessKeyId, Date.now());
    const t0 = performance.now();
    const app = loadAppBundle(o.appFile);
    const bundleLoadMs = performance.now() - t0;
    device = new SimDevice({ dir, thing, app, logLevel: 'none' });
    const first: WakeRecord[] = [];
    const idle: WakeRecord[] = [];
    for (let i = 0; i < o.firstWakes; i++) {
      // `signal` is a command: setting it again runs it again, when its metadata timestamp (whole
      // seconds) is newer than the one last applied.
      if (i > 0) {
        await nextSecond();
        cloud.shadows.update({ thing }, { state: { desired: { signal: SEED_DESIRED.signal } } }, cloud.credentials.accessKeyId, Date.now());
      }
      device.powerCut();
      first.push(await device.wake());
    }
    for (let i = 0; i < o.idleWakes; i++) idle.push(await device.wake());
    return { first, idle, bundleLoadMs };
  } finally {
    device?.close();
    await bench.close();
  }
}

function summary(r: WakeRecord): WakeSummary | undefined {
  const s = r.summary as WakeSummary | undefined;
  return s !== undefined && s !== null && typeof s.awakeMs === 'number' ? s : undefined;
}

/** Awake-time and byte figures of one kind of wake. */
function kindFigures(label: string, records: readonly WakeRecord[], what: string, bytesBudget?: { out: number; in: number }): BenchFigure[] {
  const ok = records.map(summary).filter((s): s is WakeSummary => s !== undefined && s.error === undefined);
  const awake = percentiles(ok.map((s) => s.awakeMs));
  const out = percentiles(ok.map((s) => s.bytesOut)).p50;
  const inn = percentiles(ok.map((s) => s.bytesIn)).p50;
  const n = `${ok.length} wakes`;
  return [
    { name: `${label} wake awake p50`, value: round(awake.p50), unit: 'ms', note: `${what}; ${n}` },
    { name: `${label} wake awake p99`, value: round(awake.p99), unit: 'ms', note: n },
    { name: `${label} wake bytes out`, value: out, unit: 'B', ...(bytesBudget ? { budget: bytesBudget.out } : {}), note: 'p50; HTTP incl. headers, not TLS/SNTP' },
    { name: `${label} wake bytes in`, value: inn, unit: 'B', ...(bytesBudget ? { budget: bytesBudget.in } : {}), note: 'p50; HTTP incl. headers, not TLS/SNTP' },
  ];
}

/** The figures of {@link measureWakes}' records. */
export function wakeFigures(m: WakeMeasurements): BenchFigure[] {
  const all = [...m.first, ...m.idle];
  const failed = all.filter((r) => failureCode(r) !== undefined);
  const codes = [...new Set(failed.map((r) => failureCode(r)))].join(', ');
  return [
    ...kindFigures('first', m.first, 'power-on: SNTP + GET + 2 blinks (600 ms) + POST'),
    ...kindFigures('idle', m.idle, 'timer: RTC time + GET, nothing to do', { out: BUDGETS.simIdleWakeBytesOut, in: BUDGETS.simIdleWakeBytesIn }),
    { name: 'idle wake cycle p50', value: round(percentiles(m.idle.map((r) => r.cycleMs)).p50), unit: 'ms', note: 'fresh context to deep sleep, host time' },
    { name: 'vm context + bundle run p50', value: round(percentiles(all.map((r) => r.contextMs)).p50, 2), unit: 'ms', note: 'per wake' },
    { name: 'bundle load', value: round(m.bundleLoadMs), unit: 'ms', note: 'read + compile + first run, once per simulator' },
    { name: 'failed wakes', value: failed.length, unit: '', budget: 0, note: failed.length > 0 ? codes : `of ${all.length}` },
  ];
}

/** The `wake` benchmark. */
export async function run(ctx: BenchContext): Promise<BenchFigure[]> {
  const appFile = join(ctx.root, 'dist/app.min.js');
  if (!existsSync(appFile)) throw new Error(`${appFile} not found: run \`npm run build\` first`);
  return wakeFigures(await measureWakes({ ...WAKE_BENCH_DEFAULTS, appFile }));
}
