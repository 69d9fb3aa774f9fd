/**
 * Options of one simulated device, with every default in one place ({@link SIM_HAL_DEFAULTS}).
 */
import type { LogLevel } from '../hal.js';
import type { HalInterceptor } from './guard.js';
import type { SimLogLevel } from './log.js';
import type { MachineWrites } from './machine-store.js';

/** How one simulated device is built. Everything but `dir` has a default. */
export interface SimHalOptions {
  /** The device directory (flash files, `rtc.json`, `clock.json`, `power.json`). */
  readonly dir: string;
  /** Default thing name when the config names none. */
  readonly thing: string;
  /** Hardware id; default: derived from the directory. */
  readonly id?: string;
  /** At power-on the device clock reads host time plus this (ms). */
  readonly clockOffsetMs: number;
  /** Device clock rate error (ppm; +50000 runs 5 % fast). */
  readonly driftPpm: number;
  /** The host's real time (epoch ms); tests may move it. */
  readonly hostNow: () => number;
  /** Flash capacity (bytes). */
  readonly flashBytes: number;
  /** RTC memory size (bytes). */
  readonly rtcBytes: number;
  /** fsync every write (atomicity holds either way). */
  readonly durable: boolean;
  /** When RTC memory, the clock and the board state reach the disk (see `machine-store.ts`). */
  readonly machineWrites: MachineWrites;
  /** Typical Wi-Fi RSSI (dBm). */
  readonly rssiDbm: number;
  /** Battery capacity (mAh). */
  readonly batteryMah: number;
  /** Current drawn awake (mA). */
  readonly awakeMa: number;
  /** Current drawn in deep sleep (mA). */
  readonly sleepMa: number;
  /** Ring the terminal bell when the LED turns on. */
  readonly bell: boolean;
  /** The terminal (bell). */
  readonly write?: (text: string) => void;
  /** Told of every LED change. */
  readonly onLed?: (on: boolean) => void;
  /** Where the device's log lines go. */
  readonly log?: (level: LogLevel, line: string) => void;
  readonly logLevel: SimLogLevel;
  /** Sees every HAL call: the fault-injection seam. */
  readonly intercept?: HalInterceptor;
}

/** The defaults of {@link SimHalOptions}. */
export const SIM_HAL_DEFAULTS = {
  thing: 'id-1',
  clockOffsetMs: 0,
  driftPpm: 0,
  hostNow: (): number => Date.now(),
  flashBytes: 1024 * 1024,
  rtcBytes: 2048,
  durable: true,
  machineWrites: 'through' as MachineWrites,
  rssiDbm: -61,
  batteryMah: 2000,
  awakeMa: 110,
  sleepMa: 0.015,
  bell: false,
  logLevel: 'warn' as SimLogLevel,
};

/** {@link SIM_HAL_DEFAULTS} with the set fields of `o` taking precedence. */
export function resolveSimHalOptions(o: Partial<SimHalOptions> & { readonly dir: string }): SimHalOptions {
  const out: Record<string, unknown> = { ...SIM_HAL_DEFAULTS };
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as unknown as SimHalOptions;
}
