/**
 * The simulated device clock. It follows the host's real time at a configurable rate error
 * (`driftPpm`) from where it was last set, and it is kept as `clock.json`, so it runs on
 * across deep sleeps (as the RTC keeps time on a chip) and is lost in a power cut. A device that
 * powers on starts at host time plus `offsetMs` (e.g. 2 hours off), untrusted.
 *
 * `--speed` never touches it: a sped-up sleep is shorter in real time, and the device's clock
 * shows the real time that passed. It stays honest and syncs against real time servers.
 */
import { performance } from 'node:perf_hooks';
import type { Clock } from '../hal.js';
import { MACHINE_FILES } from './device-dir.js';
import type { MachineStore } from './machine-store.js';

/** Options of {@link createSimClock}. */
export interface SimClockOptions {
  /** The host's real time (epoch ms). */
  readonly hostNow: () => number;
  /** Rate error of the device clock in parts per million (+50000: runs 5 % fast). */
  readonly driftPpm: number;
  /** At power-on the device clock reads host time plus this (ms). */
  readonly offsetMs: number;
  /** Timers of this wake (they die with it). */
  readonly setTimer: (ms: number, fn: () => void) => () => void;
}

/** The persisted clock: where it stood at a host instant, and when it was last set. */
interface ClockState {
  hostAt: number;
  deviceAt: number;
  trustedSince: number | undefined;
}

/** The simulator's {@link Clock}, plus what the machine needs. */
export interface SimClock extends Clock {
  /** Forget when the clock was set (a reset that was not a deep-sleep wake). */
  forgetTrust(): void;
  /** True when this clock started at power-on in this wake (no persisted clock was found). */
  readonly poweredOn: boolean;
}

function finite(v: unknown): number | undefined {
  return typeof v === 'number' && isFinite(v) ? v : undefined;
}

/** The device clock, kept in the device's machine store. */
export function createSimClock(machine: MachineStore, o: SimClockOptions): SimClock {
  const rate = 1 + o.driftPpm / 1e6;
  const started = performance.now();
  const saved = machine.read(MACHINE_FILES.clock);
  let state: ClockState;
  const hostAt = saved ? finite(saved['hostAt']) : undefined;
  const deviceAt = saved ? finite(saved['deviceAt']) : undefined;
  const poweredOn = hostAt === undefined || deviceAt === undefined;
  if (hostAt !== undefined && deviceAt !== undefined) {
    state = { hostAt, deviceAt, trustedSince: saved ? finite(saved['trustedSince']) : undefined };
  } else {
    const host = o.hostNow();
    state = { hostAt: host, deviceAt: host + o.offsetMs, trustedSince: undefined };
  }
  const save = (): void => {
    const out: Record<string, number> = { hostAt: state.hostAt, deviceAt: state.deviceAt };
    if (state.trustedSince !== undefined) out['trustedSince'] = state.trustedSince;
    machine.write(MACHINE_FILES.clock, out);
  };
  const now = (): number => Math.floor(state.deviceAt + (o.hostNow() - state.hostAt) * rate);
  if (poweredOn) save();
  return {
    poweredOn,
    now,
    set(epochMs: number): void {
      state = { hostAt: o.hostNow(), deviceAt: epochMs, trustedSince: epochMs };
      save();
    },
    trustedSince(): number | undefined {
      return state.trustedSince;
    },
    uptime(): number {
      return Math.floor(performance.now() - started);
    },
    setTimer(ms: number, fn: () => void): () => void {
      return o.setTimer(ms, fn);
    },
    forgetTrust(): void {
      if (state.trustedSince === undefined) return;
      state = { hostAt: state.hostAt, deviceAt: state.deviceAt, trustedSince: undefined };
      save();
    },
  };
}
