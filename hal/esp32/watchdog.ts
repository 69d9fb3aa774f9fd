/**
 * The hardware watchdog through `E.enableWatchdog(seconds, false)`: manual mode, so the chip
 * resets unless `kick` is called in time (in automatic mode Espruino kicks it whenever it is idle,
 * which a wake waiting on a hung socket always is). On ESP32 the timeout is rounded to whole
 * seconds (targets/esp32/jshardware.c uses the IDF task watchdog).
 */
import type { Watchdog } from '../hal.js';

/** The HAL's {@link Watchdog}. */
export function createEsp32Watchdog(): Watchdog {
  return {
    start(timeoutSeconds: number): void {
      E.enableWatchdog(Math.max(1, Math.round(timeoutSeconds)), false);
    },
    kick(): void {
      E.kickWatchdog();
    },
  };
}
