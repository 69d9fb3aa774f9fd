/**
 * "RTC memory" on Espruino: Espruino has no RTC-RAM API, so the bytes that must survive a deep
 * sleep live in a Storage file that is erased on every boot that was not a deep-sleep wake
 * (power-on, reset, watchdog: RTC memory would be lost then too).
 */
import type { Rtc, Storage } from '../hal.js';
import { halError } from './errors.js';

/** Storage file backing the RTC memory. */
export const RTC_FILE = 'dm.rtc';
/** RTC memory is small on a chip: refuse more than this. */
export const RTC_MAX_BYTES = 2048;

/** The HAL's {@link Rtc}, backed by `storage`. Call {@link clearRtc} at a power-on boot. */
export function createEsp32Rtc(storage: Storage): Rtc {
  return {
    read(): string | undefined {
      return storage.read(RTC_FILE);
    },
    write(data: string): void {
      if (data.length > RTC_MAX_BYTES) {
        throw halError('EFULL', `rtc: ${data.length} chars do not fit in ${RTC_MAX_BYTES} bytes of RTC memory`);
      }
      storage.write(RTC_FILE, data);
    },
  };
}

/** Forget the RTC memory (a boot that was not a deep-sleep wake). */
export function clearRtc(storage: Storage): void {
  storage.remove(RTC_FILE);
}
