/**
 * A fleet of simulated devices in one process: distinct things in distinct directories, first
 * wakes staggered over a sleep period (as real devices are not switched on in step), each then
 * waking on its own schedule, until the fleet has run the requested number of wakes in total.
 * Used for load tests of the cloud.
 */
import { setMaxListeners } from 'node:events';
import type { RunOptions, SimDeviceOptions, WakeRecord } from './runner.js';
import { SimDevice } from './runner.js';

/** Options of {@link runFleet}. */
export interface FleetOptions {
  /** One entry per device. */
  readonly devices: readonly SimDeviceOptions[];
  /** Wakes to run in total across the fleet (default: until aborted). */
  readonly wakes?: number;
  /** Delay between the first wakes of successive devices (ms). */
  readonly staggerMs: number;
  readonly signal?: AbortSignal;
  /** Told of every wake; `device` is the index in `devices`. */
  readonly onWake?: (device: number, record: WakeRecord) => void;
  /** See {@link RunOptions.abortGraceMs}. */
  readonly abortGraceMs?: number;
  /** Delay of each device's first wake (ms); default `index × staggerMs`. */
  readonly startDelays?: readonly number[];
  /**
   * Wakes allowed to run at once (default {@link FLEET_DEFAULTS.maxAwake}). More devices due
   * wait their turn asleep, so an overloaded simulator runs the fleet late instead of timing out
   * its own requests and blaming the cloud.
   */
  readonly maxAwake?: number;
  /**
   * Claims one wake of the fleet's total; false when the total is reached. Default: a counter
   * against `wakes`. Worker threads share one counter through it.
   */
  readonly claim?: () => boolean;
}

/** Defaults of {@link FleetOptions}. */
export const FLEET_DEFAULTS = { maxAwake: 24 };

/** A counting semaphore: `acquire` resolves when one of `n` slots is free. */
function semaphore(n: number): { acquire: () => Promise<void>; release: () => void } {
  let free = n;
  const waiting: (() => void)[] = [];
  return {
    acquire: () => {
      if (free > 0) {
        free--;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
    release: () => {
      const next = waiting.shift();
      if (next !== undefined) next();
      else free++;
    },
  };
}

/** Run the fleet; resolves with the wakes run once all devices stopped. */
export async function runFleet(o: FleetOptions): Promise<number> {
  // Every device listens for the abort: many listeners on one signal are expected here.
  if (o.signal !== undefined) setMaxListeners(0, o.signal);
  let started = 0;
  let finished = 0;
  const slots = semaphore(Math.max(1, o.maxAwake ?? FLEET_DEFAULTS.maxAwake));
  // Sleeping devices stop as soon as the fleet's total is claimed (or the caller aborts);
  // wakes already running finish (aborting them would cut their power).
  const idle = new AbortController();
  setMaxListeners(0, idle.signal);
  const stopIdle = (): void => idle.abort();
  o.signal?.addEventListener('abort', stopIdle, { once: true });
  if (o.signal?.aborted) idle.abort();
  const take = (): boolean => {
    if (idle.signal.aborted) return false;
    const ok = o.claim !== undefined ? o.claim() : o.wakes === undefined || started < o.wakes;
    if (ok) started++;
    else idle.abort();
    return ok;
  };
  const one = async (i: number, options: SimDeviceOptions): Promise<void> => {
    const delay = o.startDelays?.[i] ?? i * o.staggerMs;
    if (delay > 0) await abortableDelay(delay, idle.signal);
    const device = new SimDevice(options);
    // run() asks for one wake at a time, so the fleet total is exact.
    for (;;) {
      await slots.acquire();
      if (!take()) {
        slots.release();
        break;
      }
      let sleepMs = 0;
      const run: RunOptions = {
        wakes: 1,
        ...(o.signal !== undefined ? { signal: o.signal } : {}),
        ...(o.abortGraceMs !== undefined ? { abortGraceMs: o.abortGraceMs } : {}),
        onWake: (r) => {
          finished++;
          o.onWake?.(i, r);
          sleepMs = r.sleepRealMs;
        },
      };
      try {
        await device.run(run);
      } finally {
        slots.release();
      }
      if (o.claim === undefined && o.wakes !== undefined && started >= o.wakes) idle.abort();
      await abortableDelay(sleepMs, idle.signal);
    }
    device.close();
  };
  try {
    await Promise.all(o.devices.map((d, i) => one(i, d)));
  } finally {
    o.signal?.removeEventListener('abort', stopIdle);
  }
  return finished;
}

function abortableDelay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
