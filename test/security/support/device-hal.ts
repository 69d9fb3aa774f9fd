/**
 * Test support: a device HAL for boot() that talks to real servers. The memory HAL's flash, RTC,
 * indicator, power, watchdog, log and device parts, with the simulator's real HTTP/TLS client
 * and UDP (SNTP), and a real-time clock (the memory HAL's fake clock would fire the wake's
 * timers at once while real sockets are still busy).
 */
import { performance } from 'node:perf_hooks';
import type { Clock, Hal, Http } from '../../../hal/hal.js';
import { createSimHttp } from '../../../hal/sim/http.js';
import { createSimUdp } from '../../../hal/sim/udp.js';
import { MemoryHal } from '../../support/memory-hal.js';

/** A clock on the host's real time, settable like a device clock. */
export function realClock(): Clock {
  let offset = 0;
  let trusted: number | undefined;
  const started = performance.now();
  return {
    now: () => Date.now() + offset,
    set: (ms) => {
      offset = ms - Date.now();
      trusted = ms;
    },
    trustedSince: () => trusted,
    uptime: () => Math.floor(performance.now() - started),
    setTimer: (ms, fn) => {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    },
  };
}

/** A device whose network is real: `hal` for boot(), `mem` for what it wrote and logged. */
export interface RealNetDevice {
  readonly hal: Hal;
  readonly mem: MemoryHal;
}

/** Build a device with these flash files (config, credentials, CA). */
export function realNetDevice(files: Readonly<Record<string, string>>, http: Http = createSimHttp()): RealNetDevice {
  const mem = new MemoryHal({ files });
  const hal: Hal = {
    clock: realClock(),
    net: mem.net,
    http,
    udp: createSimUdp(),
    crypto: mem.crypto,
    storage: mem.storage,
    rtc: mem.rtc,
    indicator: mem.indicator,
    power: mem.power,
    watchdog: mem.watchdog,
    log: mem.log,
    device: mem.device,
  };
  return { hal, mem };
}
