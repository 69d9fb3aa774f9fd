/**
 * The Espruino entry of dormouse (uploaded as `.bootcde`, run at every boot and every wake):
 * build the ESP32 HAL, run the app's `boot(hal)`, and make sure the board ends in deep sleep on
 * every path: when `boot` resolves or rejects, when building the HAL throws, when memory runs
 * out (`E.on('errorFlag')`), and when the wake overruns a backstop timer. The hardware watchdog
 * the app starts covers a hung interpreter (a blocking connect, an endless loop).
 *
 * After a power-on or reset (not a deep-sleep wake) the wake starts only after a grace period,
 * so the `espruino` CLI can interrupt it (`reset()`) and upload: a board that sleeps within a few
 * seconds of every boot could not be reflashed otherwise. Timer wakes start at once.
 *
 * Board settings come from the optional Storage file `board.json` (see {@link BoardFile}); the
 * LED pin may also come from `aws_iot_cfg.txt`'s `led` field, as in the seed's config.
 */
import { boot, sourceHash } from './app.js';
import { createEsp32Hal, type Esp32Hal, type Esp32HalOptions } from '../hal/esp32/index.js';
import { after, consoleLine, storageModule } from '../hal/esp32/espruino.js';
import { thrownText } from '../hal/esp32/errors.js';
import { MAX_SLEEP_SECONDS, wokeFromDeepSleep } from '../hal/esp32/power.js';

declare const process: { on(event: 'uncaughtException', fn: (e: unknown) => void): void };

/** Settings of the entry itself. */
export interface EntryOptions {
  /** Sleep after a wake that failed before the app could choose (seconds). */
  readonly fallbackSleepSeconds: number;
  /** The wake is cut short and the board sleeps after this long, whatever it is doing (ms). */
  readonly backstopMs: number;
  /** Wait before the wake after a power-on or reset, so the board can be reflashed (ms). */
  readonly bootGraceMs: number;
}

/** Defaults of {@link EntryOptions}. The backstop exceeds the app's 20 s budget plus its 10 s watchdog margin. */
export const ENTRY_DEFAULTS: EntryOptions = {
  fallbackSleepSeconds: 60,
  backstopMs: 45000,
  bootGraceMs: 5000,
};

/** The optional `board.json`: every field optional; a field of the wrong type is ignored with a warning. */
export interface BoardFile {
  readonly ledPin?: string;
  readonly ledActiveLow?: boolean;
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
  readonly minFreeHeapForTls?: number;
  readonly batteryPin?: string;
  readonly batteryDivider?: number;
  readonly bootGraceMs?: number;
}

/** Storage file of the board settings. */
export const BOARD_FILE = 'board.json';

let sleeping = false;

/** Deep sleep now; `ESP32.deepSleep` never returns on a board. */
function sleepNow(seconds: number, why: string, hal?: Esp32Hal): void {
  if (sleeping) return;
  sleeping = true;
  const s = isFinite(seconds) && seconds > 0 ? Math.min(MAX_SLEEP_SECONDS, seconds) : ENTRY_DEFAULTS.fallbackSleepSeconds;
  consoleLine(`dormouse: sleep ${s} s (${why})`);
  if (hal !== undefined) {
    void hal.power.deepSleep(s);
    return;
  }
  ESP32.deepSleep(Math.round(s * 1000000));
}

function readJson(name: string): Record<string, unknown> | undefined {
  try {
    const raw = storageModule().read(name);
    if (raw === undefined) return undefined;
    const v = JSON.parse(raw) as unknown;
    return v !== null && typeof v === 'object' && !(v instanceof Array) ? (v as Record<string, unknown>) : undefined;
  } catch (_e) {
    consoleLine(`dormouse: ${name} is not a JSON object; ignored`);
    return undefined;
  }
}

/** HAL settings and the grace period, from `board.json` and `aws_iot_cfg.txt`. */
function settings(): { hal: Partial<Esp32HalOptions>; graceMs: number } {
  const hal: { -readonly [K in keyof Esp32HalOptions]?: Esp32HalOptions[K] } = {};
  let graceMs = ENTRY_DEFAULTS.bootGraceMs;
  const cfg = readJson('aws_iot_cfg.txt');
  if (cfg !== undefined && typeof cfg.led === 'string' && cfg.led.length > 0 && cfg.led.length <= 4) hal.ledPin = cfg.led;
  const b = readJson(BOARD_FILE);
  if (b === undefined) return { hal, graceMs };
  const bad = (field: string, expected: string): void => consoleLine(`dormouse: ${BOARD_FILE}: field "${field}": expected ${expected}; ignored`);
  for (const k in b) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) continue;
    const v = b[k];
    if (k === 'ledPin' || k === 'batteryPin') {
      if (typeof v === 'string' && v.length > 0 && v.length <= 4) hal[k] = v;
      else bad(k, 'a pin name like "D2"');
    } else if (k === 'ledActiveLow') {
      if (typeof v === 'boolean') hal.ledActiveLow = v;
      else bad(k, 'true or false');
    } else if (k === 'logLevel') {
      if (v === 'debug' || v === 'info' || v === 'warn' || v === 'error') hal.logLevel = v;
      else bad(k, '"debug", "info", "warn" or "error"');
    } else if (k === 'minFreeHeapForTls' || k === 'batteryDivider' || k === 'bootGraceMs') {
      if (typeof v === 'number' && isFinite(v) && v >= 0) {
        if (k === 'bootGraceMs') graceMs = v;
        else hal[k] = v;
      } else bad(k, 'a number >= 0');
    } else {
      consoleLine(`dormouse: ${BOARD_FILE}: unknown field "${k}" ignored`);
    }
  }
  return { hal, graceMs };
}

function wake(options: Partial<Esp32HalOptions>): void {
  const o = ENTRY_DEFAULTS;
  let hal: Esp32Hal;
  try {
    hal = createEsp32Hal(options);
  } catch (e) {
    sleepNow(o.fallbackSleepSeconds, `HAL setup failed: ${thrownText(e)}`);
    return;
  }
  const h = hal;
  process.on('uncaughtException', (e) => h.noteEngineError(e));
  E.on('errorFlag', (flags) => {
    if (flags.indexOf('MEMORY') >= 0) sleepNow(o.fallbackSleepSeconds, `out of memory (${flags.join(',')})`, h);
  });
  after(o.backstopMs, () => sleepNow(o.fallbackSleepSeconds, `backstop: wake still running after ${o.backstopMs} ms`, h));
  let run: Promise<{ readonly sleep?: { readonly seconds?: number } } | undefined>;
  try {
    run = boot(h);
  } catch (e) {
    sleepNow(o.fallbackSleepSeconds, `boot threw: ${thrownText(e)}`, h);
    return;
  }
  run.then(
    (summary) => {
      // On a board the app's deep sleep never returns; reaching here means it did not sleep.
      const s = summary && summary.sleep && typeof summary.sleep.seconds === 'number' ? summary.sleep.seconds : o.fallbackSleepSeconds;
      sleepNow(s, 'wake ended', h);
    },
    (e: unknown) => sleepNow(o.fallbackSleepSeconds, `wake failed: ${thrownText(e)}`, h),
  );
}

function main(): void {
  const s = settings();
  const poweredOn = !wokeFromDeepSleep(ESP32.getWakeupCause());
  // Which app build this board runs: the hash `dormouse sim --version` prints for the same sources.
  if (poweredOn) consoleLine(`dormouse: app ${sourceHash}`);
  if (poweredOn && s.graceMs > 0) {
    consoleLine(`dormouse: power-on: wake starts in ${s.graceMs} ms (type reset() to stay awake for flashing)`);
    after(s.graceMs, () => {
      try {
        wake(s.hal);
      } catch (e) {
        sleepNow(ENTRY_DEFAULTS.fallbackSleepSeconds, `entry failed: ${thrownText(e)}`);
      }
    });
    return;
  }
  wake(s.hal);
}

try {
  main();
} catch (e) {
  sleepNow(ENTRY_DEFAULTS.fallbackSleepSeconds, `entry failed: ${thrownText(e)}`);
}
