/**
 * The simulated hardware watchdog: once started, if it is not kicked within its timeout the
 * wake ends as a chip reset would (`watchdog`): the firmware stops, RTC memory and clock trust are
 * lost, and the next wake says why.
 */
import type { Watchdog } from '../hal.js';
import type { WakeLife } from './life.js';

/** The simulator's {@link Watchdog} for one wake. */
export function createSimWatchdog(life: WakeLife): Watchdog {
  let timer: NodeJS.Timeout | undefined;
  let timeoutMs = 0;
  let started = 0;
  const arm = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    started = Date.now();
    timer = setTimeout(() => {
      timer = undefined;
      life.finish({ kind: 'watchdog', afterMs: Date.now() - started });
    }, timeoutMs);
  };
  life.atEnd(() => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  });
  return {
    start(timeoutSeconds: number): void {
      const s = typeof timeoutSeconds === 'number' && isFinite(timeoutSeconds) && timeoutSeconds > 0 ? timeoutSeconds : 1;
      timeoutMs = Math.min(s * 1000, 2147483647);
      arm();
    },
    kick(): void {
      if (timeoutMs > 0 && life.awake) arm();
    },
  };
}
