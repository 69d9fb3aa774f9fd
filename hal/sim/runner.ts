/**
 * One simulated device over time: each wake builds a new {@link SimHal}, runs the shipped bundle
 * in a fresh `node:vm` context with it, awaits `boot`, records what happened, and then really
 * sleeps for the requested time divided by `speed`. Only what the HAL persisted (flash files, RTC
 * memory, the clock) crosses a sleep, as on the chip.
 */
import { performance } from 'node:perf_hooks';
import type { WakeReason } from '../hal.js';
import type { AppBundle } from './app-bundle.js';
import { ensureDeviceDir, MACHINE_FILES, removeStaleTemps } from './device-dir.js';
import type { HalInterceptor } from './guard.js';
import { messageOf } from './errors.js';
import { createSimHal, cutPower } from './sim-hal.js';
import type { SimHal, SimWakeStats } from './sim-hal.js';
import type { WakeEnd } from './life.js';
import { openMachineStore } from './machine-store.js';
import type { MachineStore } from './machine-store.js';
import { SIM_HAL_DEFAULTS } from './options.js';
import type { SimHalOptions } from './options.js';
import { FALLBACK_SLEEP_SECONDS } from './power.js';

/** Options of a {@link SimDevice}: the HAL's, plus how the wakes are run. */
export interface SimDeviceOptions extends Partial<SimHalOptions> {
  readonly dir: string;
  /** The firmware. */
  readonly app: AppBundle;
  /** Real sleep = requested sleep / speed (the device clock is not affected). */
  readonly speed?: number;
  /** Passed to `boot(hal, options)` (e.g. `{ wake: { budgetMs } }`). */
  readonly bootOptions?: unknown;
  /** A wake that neither sleeps nor trips the watchdog is reset after this long (ms). */
  readonly backstopMs?: number;
  /**
   * The interceptor of wake `index` (1-based, this runner's count), e.g. the faults a plan
   * schedules for that wake; it replaces `intercept` for that wake. Undefined: `intercept`.
   */
  readonly interceptWake?: (index: number) => HalInterceptor | undefined;
}

/** Defaults of the runner's own options. */
export const RUNNER_DEFAULTS = { speed: 1, backstopMs: 60_000, settleMs: 1000, abortGraceMs: 3000 };

/** One wake, as the runner saw it. */
export interface WakeRecord {
  /** Wakes run by this runner so far, this one included. */
  readonly index: number;
  readonly reason: WakeReason;
  /** Host time (epoch ms) when the wake began. */
  readonly startedAt: number;
  /** Real time from the fresh context to the end of the wake (ms). */
  readonly cycleMs: number;
  /** What the fresh context and running the bundle in it cost (ms). */
  readonly contextMs: number;
  readonly end: WakeEnd;
  /** What `boot` resolved with (the wake summary), when it did. */
  readonly summary?: unknown;
  /** What `boot` rejected with, or why the wake crashed. */
  readonly error?: string;
  readonly stats: SimWakeStats;
  /** How long the runner really waits before the next wake (ms). */
  readonly sleepRealMs: number;
}

/** Options of {@link SimDevice.run}. */
export interface RunOptions {
  /** Stop after this many wakes (default: until aborted). */
  readonly wakes?: number;
  readonly signal?: AbortSignal;
  /** Told of every wake as it ends. */
  readonly onWake?: (record: WakeRecord) => void;
  /** Told when a wake starts. */
  readonly onWakeStart?: (index: number) => void;
  /** When `signal` aborts mid-wake, the wake may finish within this long, then the power is cut (ms). */
  readonly abortGraceMs?: number;
}

/** Resolves after `ms`, or early when `signal` aborts or `interrupt` is called. */
function sleepFor(ms: number, signal: AbortSignal | undefined, hook: (interrupt: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted || ms <= 0) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      hook(() => undefined);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    hook(done);
  });
}

/** A simulated device running the shipped firmware in its directory. */
export class SimDevice {
  private readonly o: SimDeviceOptions;
  private readonly speed: number;
  private readonly machineState: MachineStore;
  private count = 0;
  private current: SimHal | undefined;
  private interruptSleep: () => void = () => undefined;

  constructor(o: SimDeviceOptions) {
    const speed = o.speed ?? RUNNER_DEFAULTS.speed;
    if (!(typeof speed === 'number' && isFinite(speed) && speed > 0)) throw new Error(`speed: expected a number > 0, got ${String(speed)}`);
    this.o = o;
    this.speed = speed;
    ensureDeviceDir(o.dir);
    removeStaleTemps(o.dir);
    this.machineState = openMachineStore(o.dir, o.machineWrites ?? SIM_HAL_DEFAULTS.machineWrites, o.durable ?? SIM_HAL_DEFAULTS.durable);
  }

  /** Write the machine state kept in memory (see `machine-store.ts`); call when stopping. */
  close(): void {
    this.machineState.flush();
  }

  /** The device directory. */
  get dir(): string {
    return this.o.dir;
  }

  /** Wakes run so far. */
  get wakes(): number {
    return this.count;
  }

  /** True while a wake runs. */
  get awake(): boolean {
    return this.current !== undefined && this.current.awake;
  }

  /**
   * Cut the power now. Mid-wake the wake is abandoned (HAL calls fail with `EPOWER`); RTC memory
   * and the clock are lost, flash keeps what was written. During a sleep the device powers on
   * again at once.
   */
  powerCut(): void {
    if (this.current !== undefined && this.current.awake) this.current.powerCut();
    else {
      cutPower(this.machineState);
      this.interruptSleep();
    }
  }

  /**
   * The device's machine state (RTC memory, clock, board), for fault injection between wakes
   * (a bit flip in RTC memory). Not for use while a wake runs.
   */
  get machine(): MachineStore {
    return this.machineState;
  }

  /**
   * Move the device clock by `ms` while it sleeps, keeping its trust (a glitch of the RTC the
   * device cannot notice by itself). No-op when the clock is not running (after a power cut).
   */
  shiftClock(ms: number): boolean {
    const c = this.machineState.read(MACHINE_FILES.clock);
    const deviceAt = c !== undefined ? c['deviceAt'] : undefined;
    if (c === undefined || typeof deviceAt !== 'number' || !isFinite(deviceAt)) return false;
    this.machineState.write(MACHINE_FILES.clock, { ...c, deviceAt: deviceAt + ms });
    return true;
  }

  /** Run one wake to its end. */
  async wake(): Promise<WakeRecord> {
    const index = ++this.count;
    const startedAt = Date.now();
    const t0 = performance.now();
    const perWake = this.o.interceptWake?.(index);
    const hal = createSimHal(perWake !== undefined ? { ...this.o, intercept: perWake } : this.o, this.machineState);
    this.current = hal;
    let contextMs = 0;
    let outcome: { ok: true; value: unknown } | { ok: false; error: unknown } | undefined;
    const backstop = setTimeout(() => hal.crash(`the wake ran ${this.o.backstopMs ?? RUNNER_DEFAULTS.backstopMs} ms without sleeping or a watchdog reset`), this.o.backstopMs ?? RUNNER_DEFAULTS.backstopMs);
    const settled = new Promise<void>((resolve) => {
      try {
        const { app, ms } = this.o.app.instantiate();
        contextMs = ms;
        Promise.resolve(app.boot(hal, this.o.bootOptions)).then(
          (value) => {
            outcome = { ok: true, value };
            resolve();
          },
          (error: unknown) => {
            outcome = { ok: false, error };
            resolve();
          },
        );
      } catch (error) {
        outcome = { ok: false, error };
        resolve();
      }
    });
    try {
      await Promise.race([hal.ended, settled]);
      if (hal.awake) {
        const o = outcome;
        hal.crash(o === undefined ? 'boot ended' : o.ok ? 'boot returned without deep sleep' : `boot threw: ${messageOf(o.error)}`);
      }
      const end = await hal.ended;
      if (end.kind === 'sleep' && outcome === undefined) {
        // boot resolves right after deepSleep returns; give it a moment, never forever.
        await Promise.race([settled, new Promise((r) => setTimeout(r, RUNNER_DEFAULTS.settleMs))]);
      }
      const cycleMs = performance.now() - t0;
      const o = outcome as typeof outcome;
      const summary = o !== undefined && o.ok ? o.value : undefined;
      let error: string | undefined;
      if (end.kind === 'crash') error = end.message;
      else if (o !== undefined && !o.ok && end.kind !== 'power-cut') error = messageOf(o.error);
      const sleepRealMs =
        end.kind === 'sleep' ? (end.seconds * 1000) / this.speed : end.kind === 'crash' ? (FALLBACK_SLEEP_SECONDS * 1000) / this.speed : 0;
      const record: WakeRecord = {
        index,
        reason: hal.reason,
        startedAt,
        cycleMs,
        contextMs,
        end,
        ...(summary !== undefined ? { summary } : {}),
        ...(error !== undefined ? { error } : {}),
        stats: hal.stats(),
        sleepRealMs,
      };
      return record;
    } finally {
      clearTimeout(backstop);
      this.current = undefined;
    }
  }

  /** Wake, sleep, repeat, until `wakes` wakes ran or `signal` aborts. Resolves with the wakes run. */
  async run(o: RunOptions = {}): Promise<number> {
    let n = 0;
    let grace: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      if (this.awake) grace = setTimeout(() => this.awake && this.powerCut(), o.abortGraceMs ?? RUNNER_DEFAULTS.abortGraceMs);
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      while (!o.signal?.aborted && (o.wakes === undefined || n < o.wakes)) {
        o.onWakeStart?.(this.count + 1);
        const r = await this.wake();
        n++;
        o.onWake?.(r);
        if (o.wakes !== undefined && n >= o.wakes) break;
        await sleepFor(r.sleepRealMs, o.signal, (interrupt) => (this.interruptSleep = interrupt));
      }
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
      if (grace !== undefined) clearTimeout(grace);
    }
    return n;
  }
}
