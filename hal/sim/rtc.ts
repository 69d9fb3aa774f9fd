/**
 * Simulated RTC memory: a few hundred bytes kept as `rtc.json` of the device directory. It survives
 * a deep sleep and is lost in a power cut or a watchdog reset, as RTC memory is on a chip.
 */
import type { Rtc } from '../hal.js';
import { MACHINE_FILES } from './device-dir.js';
import { simFailure } from './errors.js';
import type { MachineStore } from './machine-store.js';

/** Options of {@link createSimRtc}. */
export interface SimRtcOptions {
  /** RTC memory size in bytes; a larger write fails with `EFULL`. */
  readonly capacityBytes: number;
}

/** RTC memory of a device, kept in its machine store. */
export function createSimRtc(machine: MachineStore, o: SimRtcOptions): Rtc {
  let cache: { data: string | undefined } | undefined;
  return {
    read(): string | undefined {
      if (cache === undefined) {
        const j = machine.read(MACHINE_FILES.rtc);
        cache = { data: j !== undefined && typeof j['data'] === 'string' ? j['data'] : undefined };
      }
      return cache.data;
    },
    write(data: string): void {
      if (typeof data !== 'string') throw simFailure('ESTORAGE', `rtc: expected text to write, got ${typeof data}`);
      const bytes = Buffer.byteLength(data, 'utf8');
      if (bytes > o.capacityBytes) throw simFailure('EFULL', `rtc: ${bytes} bytes do not fit in ${o.capacityBytes} bytes of RTC memory`);
      machine.write(MACHINE_FILES.rtc, { data });
      cache = { data };
    },
  };
}
