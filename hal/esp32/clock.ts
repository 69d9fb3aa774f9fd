/**
 * The clock on Espruino. `Date.now()` is the system clock, which the ESP-IDF keeps across deep
 * sleep with the RTC slow clock and loses on power-off; `setTime(seconds)` sets it (a no-op on
 * the Linux build). Espruino's `Date.now()` has a fractional part: it is floored here.
 * When the clock was last set is kept in a Storage file, erased on a boot that was not a
 * deep-sleep wake, because then the clock started again from zero.
 */
import type { Clock, Storage } from '../hal.js';
import { after } from './espruino.js';

/** Storage file holding when the clock was last set. */
export const CLOCK_FILE = 'dm.clock';

/** The HAL's {@link Clock} on Espruino. Call {@link clearClockTrust} at a power-on boot. */
export function createEsp32Clock(storage: Storage, warn: (message: string) => void): Clock {
  // Monotonic uptime: Date.now() jumps when the clock is set, so the base moves with it.
  let base = Math.floor(Date.now());
  let trusted: number | undefined;
  let loaded = false;

  return {
    now(): number {
      return Math.floor(Date.now());
    },
    set(epochMs: number): void {
      // setTime(NaN) would leave the system clock NaN for the rest of the wake.
      if (typeof epochMs !== 'number' || !isFinite(epochMs) || epochMs < 0) {
        warn(`clock: refused to set the clock to ${String(epochMs)}`);
        return;
      }
      const before = Math.floor(Date.now());
      setTime(epochMs / 1000);
      const after = Math.floor(Date.now());
      base += after - before;
      if (Math.abs(after - epochMs) > 1000) warn(`clock: setTime(${Math.round(epochMs / 1000)}) did not take (still ${after}); this build cannot set its clock`);
      trusted = epochMs;
      loaded = true;
      storage.write(CLOCK_FILE, String(Math.round(epochMs)));
    },
    trustedSince(): number | undefined {
      // Written without a helper function: terser inlines single-use helpers and appends their
      // `var`s after the `return`, which Espruino (no var hoisting) turns into writes to outer
      // variables of the same minified name.
      if (!loaded) {
        loaded = true;
        const text = storage.read(CLOCK_FILE);
        const n = text === undefined ? NaN : parseInt(text, 10);
        trusted = isFinite(n) && n > 0 ? n : undefined;
      }
      return trusted;
    },
    uptime(): number {
      return Math.floor(Date.now()) - base;
    },
    setTimer(ms: number, fn: () => void): () => void {
      return after(ms, fn);
    },
  };
}

/** Forget when the clock was set (a boot that was not a deep-sleep wake). */
export function clearClockTrust(storage: Storage): void {
  storage.remove(CLOCK_FILE);
}
