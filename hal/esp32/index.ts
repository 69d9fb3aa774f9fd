/**
 * The ESP32 HAL: every part of `hal/hal.ts` on Espruino's real APIs (Wifi, tls/net, dgram,
 * crypto, Storage, pins, ESP32.deepSleep, E.enableWatchdog). `firmware/esp32.ts` builds it once
 * per boot and hands it to the app's `boot(hal)`.
 *
 * At a boot that was not a deep-sleep wake (power-on, reset, watchdog) the RTC memory and the
 * record of when the clock was set are dropped: on a chip both would be gone.
 */
import type { Hal, LogLevel } from '../hal.js';
import { clearClockTrust, createEsp32Clock } from './clock.js';
import { createEsp32Crypto } from './crypto.js';
import { createEsp32Device, freeHeap } from './device.js';
import { thrownText } from './errors.js';
import { createEsp32Http, HTTP_DEFAULTS } from './http.js';
import { createEsp32Indicator } from './indicator.js';
import { createEsp32Log } from './log.js';
import { createEsp32Net, NET_DEFAULTS } from './net.js';
import { createEsp32Power, wokeFromDeepSleep } from './power.js';
import { clearRtc, createEsp32Rtc } from './rtc.js';
import { createEsp32Storage } from './storage.js';
import { createEsp32Udp } from './udp.js';
import { createEsp32Watchdog } from './watchdog.js';
import { describeEngineError } from './engine-errors.js';

/** Board settings of the ESP32 HAL. */
export interface Esp32HalOptions {
  /** Pin of the indicator LED. */
  readonly ledPin: string;
  /** True when the LED lights with the pin low. */
  readonly ledActiveLow: boolean;
  /** Storage file with `{"ssid": "...", "password": "..."}`. */
  readonly wifiFile: string;
  /** Free heap required before a TLS handshake (bytes). */
  readonly minFreeHeapForTls: number;
  /** Largest HTTP response body accepted (bytes). */
  readonly maxBodyBytes: number;
  /** Lowest log level printed on the console. */
  readonly logLevel: LogLevel;
  /** Thing name prefix before the serial. */
  readonly thingPrefix: string;
  /** ADC pin of a battery divider, if wired. */
  readonly batteryPin?: string;
  /** Battery volts per volt at `batteryPin`. */
  readonly batteryDivider: number;
}

/** Defaults of {@link Esp32HalOptions}. */
export const ESP32_DEFAULTS: Esp32HalOptions = {
  ledPin: 'D2',
  ledActiveLow: false,
  wifiFile: NET_DEFAULTS.wifiFile,
  minFreeHeapForTls: HTTP_DEFAULTS.minFreeHeapForTls,
  maxBodyBytes: HTTP_DEFAULTS.maxBodyBytes,
  logLevel: 'info',
  thingPrefix: 'ESP-',
  batteryDivider: 2,
};

/** {@link ESP32_DEFAULTS} overridden by the fields of `partial` that are set. */
export function resolveEsp32Options(partial?: Partial<Esp32HalOptions>): Esp32HalOptions {
  const out: Record<string, unknown> = {};
  const d = ESP32_DEFAULTS as unknown as Record<string, unknown>;
  for (const k in d) if (Object.prototype.hasOwnProperty.call(d, k)) out[k] = d[k];
  if (partial) {
    const p = partial as unknown as Record<string, unknown>;
    for (const k in p) if (Object.prototype.hasOwnProperty.call(p, k) && p[k] !== undefined) out[k] = p[k];
  }
  return out as unknown as Esp32HalOptions;
}

/** The HAL plus what only the Espruino entry needs. */
export interface Esp32Hal extends Hal {
  /** Record an error Espruino raised outside our code (`process.on('uncaughtException')`). */
  noteEngineError(e: unknown): void;
  /** `ESP32.getWakeupCause()` of this boot. */
  readonly wakeCause: number;
}

/** Build the ESP32 HAL for this boot. */
export function createEsp32Hal(partial?: Partial<Esp32HalOptions>): Esp32Hal {
  const o = resolveEsp32Options(partial);
  const cause = ESP32.getWakeupCause();
  const storage = createEsp32Storage();
  let logRef: ((level: LogLevel, message: string) => void) | undefined;
  const warn = (message: string): void => {
    if (logRef !== undefined) logRef('warn', message);
  };
  const clock = createEsp32Clock(storage, warn);
  const log = createEsp32Log(o.logLevel, clock.uptime);
  logRef = log.write;
  if (!wokeFromDeepSleep(cause)) {
    try {
      clearRtc(storage);
      clearClockTrust(storage);
    } catch (e) {
      log.write('warn', `boot: could not clear RTC records: ${thrownText(e)}`);
    }
  }
  let engineError: string | undefined;
  const indicator = createEsp32Indicator(o.ledPin, o.ledActiveLow, warn);
  const net = createEsp32Net({ wifiFile: o.wifiFile });
  const http = createEsp32Http(
    {
      freeHeap,
      engineError(): string | undefined {
        const e = engineError;
        engineError = undefined;
        return e;
      },
    },
    { minFreeHeapForTls: o.minFreeHeapForTls, maxBodyBytes: o.maxBodyBytes },
  );
  const power = createEsp32Power(cause, { batteryPin: o.batteryPin, batteryDivider: o.batteryDivider }, () => {
    http.close();
    indicator.set(false);
    // Radio off without waiting: deep sleep powers it down anyway.
    void net.down();
  });
  return {
    clock,
    net,
    http,
    udp: createEsp32Udp(),
    crypto: createEsp32Crypto(),
    storage,
    rtc: createEsp32Rtc(storage),
    indicator,
    power,
    watchdog: createEsp32Watchdog(),
    log,
    device: createEsp32Device(o.thingPrefix),
    wakeCause: cause,
    noteEngineError(e: unknown): void {
      engineError = describeEngineError(thrownText(e));
      log.write('warn', `espruino: ${engineError}`);
    },
  };
}
