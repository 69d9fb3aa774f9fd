/**
 * The thing: what a device does with its desired state. {@link BaseThing} owns the keys every
 * dormouse device has (`signal`, `test`/`test_param`, `sleep`); a subclass adds its own keys with
 * a static schema and one method per key, named like the key:
 *
 * ```ts
 * class Shade extends BaseThing {
 *   static schema = { position: { type: 'number', min: 0, max: 100 } };
 *   async position(to: number, from: number | undefined) { await this.motor(to); return 'moved to ' + to; }
 * }
 * ```
 *
 * A handler receives the new value (already validated) and the previous one, returns a short
 * text for the status line (or nothing: `ok`) and throws when it fails. Tests are methods named
 * `test` + capitalised name: desired `test: "led"` runs `testLed(test_param)`.
 */
import type { Hal } from '../hal/hal.js';
import { describeValue, type JsonValue } from './json.js';
import { describeGot, isFieldSpec, validateValue, type FieldSpec, type ThingSchema, type Validation } from './schema.js';
import { isSafeKey } from './store.js';
import { DEFAULTS, type WakeOptions } from './wake-options.js';

/** What a handler may return: a short text for the status line, or nothing (`ok`). */
export type HandlerResult = string | void | undefined;

/** One key of a thing, in dispatch order. */
export interface ThingKey {
  readonly key: string;
  readonly spec: FieldSpec;
  /** True for the keys {@link BaseThing} owns. */
  readonly base: boolean;
}

/** Keys that only the device writes (in `reported`); a desired one is ignored like any unknown key. */
export const REPORTED_ONLY_KEYS: readonly string[] = ['status', 'device'];

/** The `test` value that runs nothing. */
export const NO_TEST = 'none';

/** Longest test name (the `test` key's maxLength). */
export const TEST_NAME_MAX = 32;

/** The keys {@link BaseThing} owns, with the sleep range from `o`. */
export function baseSchema(o: Pick<WakeOptions, 'sleepMinSeconds' | 'sleepMaxSeconds' | 'sleepSeconds'>): ThingSchema {
  return {
    signal: { type: 'integer', min: 0, max: 100, command: true },
    test_param: { type: 'number', command: true, idempotent: true },
    test: { type: 'string', maxLength: TEST_NAME_MAX, command: true, default: NO_TEST },
    sleep: { type: 'integer', min: o.sleepMinSeconds, max: o.sleepMaxSeconds, default: o.sleepSeconds, idempotent: true },
  };
}

/** Names of BaseThing's own members: never handlers, even when a schema key is named like one. */
const RESERVED: readonly string[] = ['hal', 'beginWake', 'remainingMs', 'handlerBudgetMs', 'delay', 'blink', 'constructor'];

/**
 * Base class of every thing. Gives a subclass the HAL (`this.hal`), the time left in this wake
 * (`remainingMs`, `handlerBudgetMs`), a timer-based `delay` and an indicator `blink`, and the
 * handlers of the base keys (`signal` blinks the indicator; `sleep` only takes effect at the end
 * of the wake). Subclasses override `signal` to signal differently (a buzzer, a motor twitch).
 */
export class BaseThing {
  /** The machine this thing runs on. */
  readonly hal: Hal;
  private deadlineUptime: number;
  private reserveMs: number;

  constructor(hal: Hal) {
    this.hal = hal;
    this.deadlineUptime = hal.clock.uptime() + DEFAULTS.budgetMs;
    this.reserveMs = 0;
  }

  /**
   * Called by the cycle before the handlers run: the wake's deadline (uptime ms) and the time
   * kept back for the report after them. Not for subclasses.
   */
  beginWake(deadlineUptimeMs: number, reserveMs: number): void {
    this.deadlineUptime = deadlineUptimeMs;
    this.reserveMs = reserveMs;
  }

  /** Milliseconds left before the wake's budget runs out (a handler past it is abandoned). */
  remainingMs(): number {
    const left = this.deadlineUptime - this.hal.clock.uptime();
    return left > 0 ? left : 0;
  }

  /** Milliseconds a handler may use and still leave time to report: size long actions with it. */
  handlerBudgetMs(): number {
    const left = this.remainingMs() - this.reserveMs;
    return left > 0 ? left : 0;
  }

  /** Resolves after `ms` milliseconds (the HAL's timer; never `setTimeout`). */
  delay(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.hal.clock.setTimer(ms > 0 ? ms : 0, () => resolve());
    });
  }

  /** Blinks the indicator `times` times (`onMs` on, `offMs` off) and resolves when done. */
  async blink(times: number, onMs: number, offMs: number): Promise<void> {
    for (let i = 0; i < times; i++) {
      this.hal.indicator.set(true);
      await this.delay(onMs);
      this.hal.indicator.set(false);
      if (i < times - 1) await this.delay(offMs);
    }
  }

  /**
   * Handler of `signal`: blinks the indicator `to` times, 200 ms on / 200 ms off, faster when
   * that would not fit in the handler budget.
   */
  async signal(to: number, _from?: number): Promise<HandlerResult> {
    let period = 400;
    const budget = this.handlerBudgetMs();
    if (to > 0 && to * period > budget) period = Math.max(20, Math.floor(budget / to));
    await this.blink(to, Math.floor(period / 2), period - Math.floor(period / 2));
    return `blinked ${to} time${to === 1 ? '' : 's'}`;
  }

  /** Handler of `sleep`: nothing to do now, the cycle sleeps this long at the end of the wake. */
  sleep(to: number, _from?: number): HandlerResult {
    return `${to} s`;
  }
}

/** The method name of test `name` (`led` → `testLed`). */
export function testMethodName(name: string): string {
  return `test${name.charAt(0).toUpperCase()}${name.substring(1)}`;
}

/** Names of the tests `thing` offers (`testLed` → `led`), sorted. */
export function thingTests(thing: BaseThing): string[] {
  const out: string[] = [];
  let proto = Object.getPrototypeOf(thing) as object | null;
  while (proto && proto !== Object.prototype) {
    const names = Object.getOwnPropertyNames(proto);
    for (let i = 0; i < names.length; i++) {
      const m = names[i] as string;
      if (m.length < 5 || m.substring(0, 4) !== 'test') continue;
      const c = m.charAt(4);
      if (c < 'A' || c > 'Z') continue;
      if (typeof (proto as Record<string, unknown>)[m] !== 'function') continue;
      const name = c.toLowerCase() + m.substring(5);
      if (out.indexOf(name) < 0) out.push(name);
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  out.sort();
  return out;
}

/** The static schemas along `thing`'s class chain, most basic first. */
function classSchemas(thing: BaseThing): unknown[] {
  const out: unknown[] = [];
  let proto = Object.getPrototypeOf(thing) as object | null;
  while (proto && proto !== Object.prototype) {
    if (Object.prototype.hasOwnProperty.call(proto, 'constructor')) {
      const ctor = (proto as { constructor?: unknown }).constructor;
      if (typeof ctor === 'function' && Object.prototype.hasOwnProperty.call(ctor, 'schema')) {
        out.unshift((ctor as unknown as { schema: unknown }).schema);
      }
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return out;
}

/**
 * Every key of `thing` in dispatch order: `signal`, `test_param`, `test`, the subclass keys in
 * schema order, `sleep` last. Subclass entries that redefine a base key, use an unsafe name or
 * are not field specs are skipped.
 */
export function thingKeys(thing: BaseThing, o: Pick<WakeOptions, 'sleepMinSeconds' | 'sleepMaxSeconds' | 'sleepSeconds'>): ThingKey[] {
  const base = baseSchema(o);
  const keys: ThingKey[] = [
    { key: 'signal', spec: base.signal as FieldSpec, base: true },
    { key: 'test_param', spec: base.test_param as FieldSpec, base: true },
    { key: 'test', spec: base.test as FieldSpec, base: true },
  ];
  const schemas = classSchemas(thing);
  for (let s = 0; s < schemas.length; s++) {
    const schema = schemas[s];
    if (schema === null || typeof schema !== 'object') continue;
    for (const k in schema as Record<string, unknown>) {
      if (!Object.prototype.hasOwnProperty.call(schema, k)) continue;
      const spec = (schema as Record<string, unknown>)[k];
      if (!isSafeKey(k) || Object.prototype.hasOwnProperty.call(base, k) || REPORTED_ONLY_KEYS.indexOf(k) >= 0) continue;
      if (!isFieldSpec(spec)) continue;
      let found = -1;
      for (let i = 0; i < keys.length; i++) if ((keys[i] as ThingKey).key === k) found = i;
      const entry: ThingKey = { key: k, spec, base: false };
      if (found >= 0) keys[found] = entry;
      else keys.push(entry);
    }
  }
  keys.push({ key: 'sleep', spec: base.sleep as FieldSpec, base: true });
  return keys;
}

/** Validates a desired value for `key`; `test` must also name a test of the thing (or `none`). */
export function validateKey(thing: BaseThing, k: ThingKey, value: unknown): Validation {
  const v = validateValue(k.spec, value);
  if (!v.ok || k.key !== 'test') return v;
  const tests = thingTests(thing);
  if (value === NO_TEST || tests.indexOf(value as string) >= 0) return v;
  const names = tests.length > 0 ? tests.join(', ') : 'it offers none';
  return { ok: false, expected: `"${NO_TEST}" or a test of this thing (${names})`, got: describeGot(value) };
}

/** A callable handler. */
export type BoundHandler = (to: JsonValue, from: JsonValue | undefined) => unknown;

/**
 * The handler of `key` on `thing`, or `undefined` when the key is only stored (`test_param`, a
 * schema key without a method). `test` is handled by {@link runTest}.
 */
export function handlerFor(thing: BaseThing, key: string): BoundHandler | undefined {
  if (key === 'test' || key === 'test_param' || RESERVED.indexOf(key) >= 0 || !isSafeKey(key)) return undefined;
  const fn = (thing as unknown as Record<string, unknown>)[key];
  if (typeof fn !== 'function') return undefined;
  if (fn === (Object.prototype as unknown as Record<string, unknown>)[key]) return undefined;
  return (to, from) => (fn as (this: BaseThing, a: JsonValue, b: JsonValue | undefined) => unknown).call(thing, to, from);
}

/** Runs test `name` with `param`; resolves with its text. `none` runs nothing. */
export function runTest(thing: BaseThing, name: string, param: JsonValue | undefined): unknown {
  if (name === NO_TEST) return 'none';
  const fn = (thing as unknown as Record<string, unknown>)[testMethodName(name)];
  if (typeof fn !== 'function' || thingTests(thing).indexOf(name) < 0) return Promise.reject(new Error(`no test named ${describeValue(name)}`));
  return (fn as (this: BaseThing, p: JsonValue | undefined) => unknown).call(thing, param);
}

/** The text a handler's result contributes to the status (`ok` when it returned nothing). */
export function resultText(r: unknown): string {
  let t = typeof r === 'string' ? r : r === undefined || r === null ? '' : describeValue(r, 60);
  t = t.replace(/[\r\n\t]+/g, ' ');
  if (t === '') t = 'ok';
  return t.length > 80 ? `${t.substring(0, 77)}...` : t;
}
