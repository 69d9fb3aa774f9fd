/**
 * The one place every simulated HAL call passes through. It enforces the wake's life (a call
 * after deep sleep, a power cut or a watchdog reset fails with `EPOWER`; a pending call is
 * abandoned when the wake ends) and it is the seam of fault injection: a {@link HalInterceptor}
 * sees each call (`storage.write`, `http.request`, `clock.now`, …) and may let it proceed, fail
 * it, delay it or cut the power instead.
 */
import type { Hal } from '../hal.js';
import type { WakeLife } from './life.js';

/** The parts of the HAL. */
export type HalPart = Exclude<keyof Hal, never>;

/** One HAL call, as an interceptor sees it. */
export interface HalCall {
  readonly part: HalPart;
  readonly method: string;
  readonly args: readonly unknown[];
}

/**
 * What an interceptor may do to the wake itself: cut the power at the call it is looking at
 * (a power cut inside a handler, inside a flash write, between sending a request and reading
 * its answer).
 */
export interface WakeControl {
  /** True while the wake runs. */
  readonly awake: boolean;
  /**
   * Cut the power now (RTC memory and the clock are lost, flash keeps what was written) and
   * return the `EPOWER` failure the interrupted call must throw or reject with.
   */
  powerCut(): Error;
}

/**
 * Sees every HAL call of a wake. Call `proceed()` to run the real one (and return or transform
 * its result), `proceed(args)` to run it with other arguments (a request to another host), or
 * throw a HAL failure instead; `wake` can cut the power. The fault plan plugs in here.
 */
export type HalInterceptor = (call: HalCall, proceed: (args?: readonly unknown[]) => unknown, wake: WakeControl) => unknown;

/** Calls that must not fail once the wake is over (they never throw by contract). */
const QUIET_WHEN_ENDED: readonly string[] = ['http.close', 'net.down', 'log.write'];

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

function guardPart<T extends object>(part: HalPart, target: T, life: WakeLife, intercept: HalInterceptor | undefined, control: WakeControl): T {
  const out: Record<string, unknown> = {};
  const source = target as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (typeof value !== 'function') {
      out[key] = value;
      continue;
    }
    const name = `${part}.${key}`;
    const quiet = QUIET_WHEN_ENDED.indexOf(name) >= 0;
    out[key] = (...args: unknown[]): unknown => {
      if (!life.awake) {
        if (quiet) return key === 'down' ? Promise.resolve() : undefined;
        throw life.deadError(name);
      }
      const proceed = (other?: readonly unknown[]): unknown => (value as (...a: unknown[]) => unknown).apply(target, other !== undefined ? [...other] : args);
      const result = intercept ? intercept({ part, method: key, args }, proceed, control) : proceed();
      // A call that ended the wake itself (deepSleep) returns as it is; others race the wake's end.
      if (isThenable(result) && life.awake) return Promise.race([result, life.lost]);
      return result;
    };
  }
  return out as T;
}

/** `hal` with every part's methods passing through the wake's guard and `intercept`. */
export function guardHal(hal: Hal, life: WakeLife, intercept?: HalInterceptor): Hal {
  const control: WakeControl = {
    get awake(): boolean {
      return life.awake;
    },
    powerCut(): Error {
      life.finish({ kind: 'power-cut' });
      return life.deadError('HAL call');
    },
  };
  return {
    clock: guardPart('clock', hal.clock, life, intercept, control),
    net: guardPart('net', hal.net, life, intercept, control),
    http: guardPart('http', hal.http, life, intercept, control),
    udp: guardPart('udp', hal.udp, life, intercept, control),
    crypto: guardPart('crypto', hal.crypto, life, intercept, control),
    storage: guardPart('storage', hal.storage, life, intercept, control),
    rtc: guardPart('rtc', hal.rtc, life, intercept, control),
    indicator: guardPart('indicator', hal.indicator, life, intercept, control),
    power: guardPart('power', hal.power, life, intercept, control),
    watchdog: guardPart('watchdog', hal.watchdog, life, intercept, control),
    log: guardPart('log', hal.log, life, intercept, control),
    device: guardPart('device', hal.device, life, intercept, control),
  };
}
