/**
 * Deep sleep and wake reasons on an ESP32 under Espruino. `ESP32.deepSleep(us)` never returns:
 * the next wake is a reboot that runs `.bootcde` again. Its argument is a 32-bit int, so a sleep
 * is capped at 2147 s. `ESP32.getWakeupCause()` tells a timer wake (4) from a boot that was not a
 * deep-sleep wake (0: power-on, reset or watchdog; Espruino cannot tell them apart on ESP32).
 */
import type { Power, WakeReason } from '../hal.js';

/** Longest sleep `ESP32.deepSleep` can take (2^31 - 1 µs). */
export const MAX_SLEEP_SECONDS = 2147;

/** The wake reason for an `ESP32.getWakeupCause()` value. */
export function wakeReasonOf(cause: number): WakeReason {
  if (cause === 0) return 'power-on';
  if (cause === 4) return 'timer';
  return 'unknown';
}

/** True when the chip woke from deep sleep (RTC domain and clock kept running). */
export function wokeFromDeepSleep(cause: number): boolean {
  return cause >= 2 && cause <= 8;
}

/** Options of {@link createEsp32Power}. */
export interface Esp32PowerOptions {
  /** ADC pin wired to the battery through a divider, if any. */
  readonly batteryPin?: string;
  /** Battery volts per volt at the pin (the divider's ratio). */
  readonly batteryDivider: number;
}

/** The HAL's {@link Power}. `beforeSleep` runs first (LED off, radio off), errors ignored. */
export function createEsp32Power(cause: number, options: Esp32PowerOptions, beforeSleep: () => void): Power {
  return {
    deepSleep(seconds: number): Promise<void> {
      try {
        beforeSleep();
      } catch (_e) { /* sleeping matters more */ }
      const s = isFinite(seconds) ? Math.min(MAX_SLEEP_SECONDS, Math.max(1, seconds)) : 60;
      ESP32.deepSleep(Math.round(s * 1000000));
      // Never reached on a chip; a test double that returns leaves the wake pending forever.
      return new Promise<void>(() => undefined);
    },
    wakeReason(): WakeReason {
      return wakeReasonOf(cause);
    },
    batteryVolts(): number | undefined {
      if (options.batteryPin === undefined) return undefined;
      try {
        // analogRead gives 0..1 of the ADC's 3.3 V range.
        return Math.round(analogRead(options.batteryPin) * 3.3 * options.batteryDivider * 100) / 100;
      } catch (_e) {
        return undefined;
      }
    },
  };
}
