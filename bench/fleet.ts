/**
 * Fleets on the simulator against the local cloud: the 200-device, 2,000-wake run `npm test`
 * guards (test/e2e/sim-fleet.test.ts), and with `--large` 1,000 devices × 5,000 wakes. The cloud
 * runs in this process on the main thread, with AWS's per-thing throttling on; the fleet runs on
 * worker threads (one per core, as `dormouse sim --devices N` does), each device a fresh vm
 * context per wake at `--speed 50`, provisioned with its own key, machine state kept in memory
 * as a `dormouse sim` fleet keeps it. Reports wall time, wakes/s, failures by code, cycle p50/p99.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { prepareDeviceDir } from '../cli/sim-setup.js';
import { FleetStats, loadAppBundle, runFleet, runFleetThreads, workerScript } from '../hal/sim/index.js';
import type { SimDeviceOptions, ThreadDevice, WakeRecord } from '../hal/sim/index.js';
import type { BenchContext, BenchFigure } from './figure.js';
import { skippedFigure } from './figure.js';
import { startBenchCloud } from './local-cloud.js';
import { round } from './stats.js';

/** One fleet run. */
export interface FleetRun {
  readonly devices: number;
  readonly wakes: number;
  /** Sleeps take 1/speed of their time. */
  readonly speed: number;
  /** Worker threads (1: the fleet shares the main thread with the cloud). */
  readonly threads: number;
}

/** The runs: the one `npm test` guards, and the large one (`--large`). */
export const FLEET_RUNS = {
  standard: { devices: 200, wakes: 2000, speed: 50 },
  large: { devices: 1000, wakes: 5000, speed: 50 },
} as const;

/** The desired state every device of the fleet finds (as the e2e fleet test sets it). */
const DESIRED = { sleep: 30, signal: 1 };
/** The first wakes are spread over one nominal sleep, as `dormouse sim` spreads them (s). */
const STAGGER_SLEEP_SECONDS = 30;

/** What a fleet run measured. */
export interface FleetResult {
  readonly run: FleetRun;
  readonly wallMs: number;
  readonly wakes: number;
  readonly failures: Readonly<Record<string, number>>;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Time to provision the device directories (not in `wallMs`). */
  readonly setupMs: number;
}

/** Run one fleet against a fresh local cloud. */
export async function runBenchFleet(run: FleetRun, appFile: string, progress: (line: string) => void = () => undefined): Promise<FleetResult> {
  const bench = await startBenchCloud();
  const { cloud } = bench;
  try {
    const setupStart = performance.now();
    const devices: ThreadDevice[] = [];
    for (let i = 1; i <= run.devices; i++) {
      const thing = `fleet-${i}`;
      const dir = join(bench.dir, 'devices', thing);
      await prepareDeviceDir({ dir, thing, forceThing: true, cloudDir: cloud.dataDir, env: {} });
      cloud.shadows.update({ thing }, { state: { desired: DESIRED } }, cloud.credentials.accessKeyId, Date.now());
      devices.push({ dir, thing, speed: run.speed, clockOffsetMs: 0, driftPpm: 0, logLevel: 'none', machineWrites: 'on-stop', durable: false });
    }
    const setupMs = performance.now() - setupStart;
    progress(`fleet ${run.devices} devices × ${run.wakes} wakes: provisioned in ${(setupMs / 1000).toFixed(1)} s, running on ${run.threads} thread${run.threads === 1 ? '' : 's'}`);
    const staggerMs = (STAGGER_SLEEP_SECONDS * 1000) / run.speed / run.devices;
    const stats = new FleetStats();
    const onWake = (_device: number, r: WakeRecord): void => stats.add(r);
    const t0 = performance.now();
    if (run.threads > 1) {
      await runFleetThreads({ threads: run.threads, appFile, devices, wakes: run.wakes, staggerMs, onWake });
    } else {
      const app = loadAppBundle(appFile);
      const options: SimDeviceOptions[] = devices.map((d) => ({ ...d, app }));
      await runFleet({ devices: options, wakes: run.wakes, staggerMs, onWake });
    }
    const wallMs = performance.now() - t0;
    const s = stats.snapshot();
    return { run, wallMs, wakes: s.wakes, failures: s.failures, p50Ms: s.p50Ms, p99Ms: s.p99Ms, setupMs };
  } finally {
    await bench.close();
  }
}

/** `1,000 devices × 5,000 wakes`. */
function runLabel(r: Pick<FleetRun, 'devices' | 'wakes'>): string {
  return `${r.devices.toLocaleString('en-US')} devices × ${r.wakes.toLocaleString('en-US')} wakes`;
}

/** The figures of one fleet run. */
export function fleetFigures(r: FleetResult): BenchFigure[] {
  const label = runLabel(r.run);
  const failed = Object.values(r.failures).reduce((a, b) => a + b, 0);
  const codes = Object.keys(r.failures).sort();
  const where = `cloud in-process (main thread), fleet on ${r.run.threads} worker thread${r.run.threads === 1 ? '' : 's'}, speed ${r.run.speed}`;
  return [
    { name: `${label}: wall time`, value: round(r.wallMs / 1000), unit: 's', note: where },
    { name: `${label}: wakes/s`, value: round((r.wakes * 1000) / r.wallMs), unit: 'wakes/s', note: `${r.wakes} wakes` },
    { name: `${label}: cycle p50`, value: Math.round(r.p50Ms), unit: 'ms', note: 'fresh context to deep sleep; up to 24 wakes share a thread' },
    { name: `${label}: cycle p99`, value: Math.round(r.p99Ms), unit: 'ms' },
    {
      name: `${label}: failed wakes`,
      value: failed,
      unit: '',
      budget: 0,
      note: codes.length === 0 ? 'no failures' : codes.map((c) => `${c} ${r.failures[c]}`).join(', '),
    },
  ];
}

/** Worker threads for a fleet: one per core, as `dormouse sim` uses from 50 devices; 1 from sources. */
export function fleetThreads(): number {
  return workerScript() !== undefined ? availableParallelism() : 1;
}

/** The `fleet` benchmark: the standard run, and the large one with `--large`. */
export async function run(ctx: BenchContext): Promise<BenchFigure[]> {
  const appFile = join(ctx.root, 'dist/app.min.js');
  if (!existsSync(appFile)) throw new Error(`${appFile} not found: run \`npm run build\` first`);
  const threads = fleetThreads();
  const runs: FleetRun[] = [{ ...FLEET_RUNS.standard, threads }];
  if (ctx.large) runs.push({ ...FLEET_RUNS.large, threads });
  const out: BenchFigure[] = [];
  for (const r of runs) out.push(...fleetFigures(await runBenchFleet(r, appFile, ctx.progress)));
  if (!ctx.large) out.push(skippedFigure(runLabel(FLEET_RUNS.large), 'run `dormouse bench fleet --large`'));
  return out;
}
