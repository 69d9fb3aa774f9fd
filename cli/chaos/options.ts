/**
 * Options of a chaos run, with every default in one place ({@link CHAOS_DEFAULTS}).
 *
 * Speed: devices do not really sleep (the next wake starts at once), and the wake runs with a
 * short budget and short timeouts, so that a hang costs seconds, not minutes. The device clock
 * still follows real time; only the sleeps are skipped.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { AppBundle } from '../../hal/sim/app-bundle.js';
import type { FaultPlan } from '../../hal/sim/faults/index.js';
import type { WakeOptions } from '../../src/wake-options.js';
import type { Violation } from './history.js';

/** Progress of a run, told now and then. */
export interface ChaosProgress {
  readonly wakes: number;
  readonly total: number;
  readonly faults: number;
  readonly violations: number;
  readonly elapsedMs: number;
}

/** What `runChaos` takes. */
export interface ChaosOptions {
  readonly seed: number;
  /** Wakes per device. */
  readonly wakes: number;
  readonly devices: number;
  /** A plan to use instead of the random one (`--faults FILE`). */
  readonly plan?: FaultPlan;
  /** Wakes per episode (fault phase then quiet phase). */
  readonly episodeWakes?: number;
  /** Wakes of each quiet phase (at least the convergence bound + 1). */
  readonly quietWakes?: number;
  /** Wakes of each episode's outage window (0: none). */
  readonly outageWakes?: number;
  /** Keep the run's files (cloud database, device directories) here; default: a temporary directory, removed. */
  readonly dir?: string;
  /** The firmware (default: dist/app.min.js). */
  readonly app?: AppBundle;
  /** Wake tunables the devices boot with (see {@link CHAOS_DEFAULTS.wake}). */
  readonly wake?: Partial<WakeOptions>;
  /** Chance of a desired change before a fault-phase wake. */
  readonly changeProbability?: number;
  /** Share of invalid values among desired changes. */
  readonly invalidShare?: number;
  /** Chance of a desired change in the middle of a wake. */
  readonly midWakeProbability?: number;
  /** Run the cloud in a worker thread when the compiled CLI has one (default true). */
  readonly cloudThread?: boolean;
  /** Stop at the first violation. */
  readonly stopOnViolation?: boolean;
  readonly onProgress?: (p: ChaosProgress) => void;
  readonly onViolation?: (v: Violation) => void;
  /** Interval of `onProgress` (ms). */
  readonly progressMs?: number;
}

/** The defaults of {@link ChaosOptions}. */
export const CHAOS_DEFAULTS = {
  devices: 4,
  episodeWakes: 200,
  quietWakes: 4,
  outageWakes: 8,
  changeProbability: 0.12,
  invalidShare: 0.2,
  midWakeProbability: 0.02,
  progressMs: 1000,
  /** Short budget and timeouts: a hang costs ~3 s instead of 20. */
  wake: {
    budgetMs: 3000,
    watchdogMarginMs: 2000,
    reportReserveMs: 800,
    netTimeoutMs: 1000,
    ntpTimeoutMs: 300,
    ntpRetries: 1,
    httpTimeoutMs: 1000,
  } satisfies Partial<WakeOptions>,
  /** A device that powers on has its clock off by up to this (ms), either way: SNTP must fix it. */
  powerOnClockOffsetMs: 2 * 3600 * 1000,
  /** The runner resets a wake that neither slept nor tripped the watchdog after this long (ms). */
  backstopMs: 20_000,
  /** Thing names: `chaos-1` … */
  thingPrefix: 'chaos',
  /** Key id of the driver's updates in the cloud's history. */
  driverKeyId: 'chaos-driver',
  /**
   * Where a run keeps its files unless told (`--keep`): memory-backed on Linux, since thousands of
   * simulated flash writes and cloud commits would otherwise wait on a shared disk.
   */
  tempRoot: existsSync('/dev/shm') ? '/dev/shm' : tmpdir(),
};
