/**
 * Simulated power management. `deepSleep(seconds)` ends the wake (the wake's timers and sockets
 * die) and resolves; the runner then waits the sleep out (shortened by `--speed`) and starts the
 * next wake in a fresh context. The battery drains by the time spent awake and asleep.
 */
import type { Power, WakeReason } from '../hal.js';
import { batteryVoltsFor } from './board-state.js';
import type { WakeLife } from './life.js';

/** Longest deep sleep the simulator accepts (the ESP32's `deepSleep` limit). */
export const MAX_SLEEP_SECONDS = 2147;
/** Sleep taken when `deepSleep` gets no usable length (the ESP32 entry's fallback). */
export const FALLBACK_SLEEP_SECONDS = 60;

/** Options of {@link createSimPower}. */
export interface SimPowerOptions {
  readonly reason: WakeReason;
  /** Battery charge used before this wake (mAh). */
  readonly usedMah: () => number;
  readonly capacityMah: number;
}

/** The simulator's {@link Power} for one wake. */
export function createSimPower(life: WakeLife, o: SimPowerOptions): Power {
  return {
    deepSleep(seconds: number): Promise<void> {
      // As on the chip: a nonsense length sleeps the fallback, a huge one the longest possible.
      const s = typeof seconds === 'number' && isFinite(seconds) ? Math.min(MAX_SLEEP_SECONDS, Math.max(1, seconds)) : FALLBACK_SLEEP_SECONDS;
      life.finish({ kind: 'sleep', seconds: s });
      return Promise.resolve();
    },
    wakeReason(): WakeReason {
      return o.reason;
    },
    batteryVolts(): number | undefined {
      return batteryVoltsFor(o.usedMah(), o.capacityMah);
    },
  };
}
