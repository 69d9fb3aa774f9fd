/**
 * The desired-state driver of a chaos run: before some wakes (and now and then in the middle of
 * one, right before its report) it changes a device's desired state through the cloud's
 * shadow service, as an operator or an app would, with valid values and invalid ones (wrong type,
 * out of range, unknown test, nested junk). Which values are valid is the driver's own table,
 * written from device.md, not asked of the firmware. Every change is recorded with the desired
 * metadata timestamp the cloud gave it: that is the identity of the change for the exactly-once
 * check.
 *
 * Timestamps are in seconds, so two changes in the same second would look alike; the driver keeps
 * a clock per device that moves at least one second per change (ahead of real time when changes
 * come faster), so every change of a key has its own timestamp.
 */
import type { Prng } from '../../hal/sim/faults/index.js';
import { isPlainObject } from '../../src/json.js';
import type { JsonObject, JsonValue } from '../../src/json.js';
import type { UpdateResult } from './cloud-port.js';
import type { DesiredChange, DrivenKey } from './history.js';

/** One value the driver may set, and whether a correct device accepts it. */
interface Candidate {
  readonly value: JsonValue;
  readonly valid: boolean;
}

const valid = (...values: JsonValue[]): Candidate[] => values.map((value) => ({ value, valid: true }));
const invalid = (...values: JsonValue[]): Candidate[] => values.map((value) => ({ value, valid: false }));

/**
 * The values per key (device.md: `signal` integer 0..100, `test` "none" or a test of the thing,
 * `test_param` a number, `sleep` integer 5..600). Signals are small: each blink takes 400 ms.
 */
export const DRIVER_VALUES: Readonly<Record<DrivenKey, { readonly valid: readonly Candidate[]; readonly invalid: readonly Candidate[] }>> = {
  signal: { valid: valid(0, 1, 2, 3), invalid: invalid(101, -1, 2.5, '3', [1], true) },
  test: { valid: valid('none', 'led', 'echo', 'memory', 'none'), invalid: invalid('explode', 42, '', 'x'.repeat(40), ['led']) },
  test_param: { valid: valid(50, 100, 250, 0, -5, 1e9), invalid: invalid('fast', [100], false) },
  sleep: { valid: valid(5, 10, 30, 60, 300, 600), invalid: invalid(4, 601, 9000, 2.5, '30', -1) },
};

/** The desired state every device starts from (the seed's). */
export const INITIAL_DESIRED: Readonly<Record<DrivenKey, JsonValue>> = { sleep: 30, signal: 1, test: 'none', test_param: 100 };

/** Options of a {@link DesiredDriver}. */
export interface DriverOptions {
  /** Update a thing's desired state through the cloud (as `keyId`, at server time `nowMs`). */
  readonly update: (thing: string, desired: JsonObject, keyId: string, nowMs: number) => Promise<UpdateResult>;
  readonly thing: string;
  readonly device: number;
  readonly prng: Prng;
  /** Chance of a change before a wake of the fault phase. */
  readonly changeProbability: number;
  /** Share of invalid values among changed keys. */
  readonly invalidShare: number;
  /** Chance of a change in the middle of a wake (between its GET and POST). */
  readonly midWakeProbability: number;
  /** Key id the cloud's history shows for the driver's updates. */
  readonly keyId: string;
}

const KEYS: readonly DrivenKey[] = ['signal', 'test', 'test_param', 'sleep'];

/** Changes one device's desired state and records each change. */
export class DesiredDriver {
  private readonly o: DriverOptions;
  private clockS = 0;
  /** Every change made, in order. */
  readonly changes: DesiredChange[] = [];

  constructor(o: DriverOptions) {
    this.o = o;
  }

  /** Update desired with `patch` through the cloud; records each key's change. */
  private async apply(patch: Partial<Record<DrivenKey, Candidate>>, beforeWake: number, midWake: boolean): Promise<DesiredChange[]> {
    const desired: JsonObject = {};
    for (const k of KEYS) {
      const c = patch[k];
      if (c !== undefined) desired[k] = c.value;
    }
    this.clockS = Math.max(Math.floor(Date.now() / 1000), this.clockS + 1);
    const outcome = await this.o.update(this.o.thing, desired, this.o.keyId, this.clockS * 1000);
    if (!outcome.ok) throw new Error(`chaos driver: the cloud refused a desired update of ${this.o.thing}: ${outcome.status} ${outcome.message}`);
    const meta = outcome.accepted['metadata'];
    const dmeta = isPlainObject(meta) ? meta['desired'] : undefined;
    const out: DesiredChange[] = [];
    for (const k of KEYS) {
      const c = patch[k];
      if (c === undefined) continue;
      const m = isPlainObject(dmeta) ? dmeta[k] : undefined;
      const ts = isPlainObject(m) && typeof m['timestamp'] === 'number' ? m['timestamp'] : this.clockS;
      const change: DesiredChange = { device: this.o.device, key: k, value: c.value, ts, valid: c.valid, beforeWake, ...(midWake ? { midWake } : {}) };
      out.push(change);
      this.changes.push(change);
    }
    return out;
  }

  private pick(key: DrivenKey): Candidate {
    const table = DRIVER_VALUES[key];
    return this.o.prng.chance(this.o.invalidShare) ? this.o.prng.pick(table.invalid) : this.o.prng.pick(table.valid);
  }

  /** The starting desired state, before the device's first wake. */
  initial(): Promise<DesiredChange[]> {
    const patch: Partial<Record<DrivenKey, Candidate>> = {};
    for (const k of KEYS) patch[k] = { value: INITIAL_DESIRED[k], valid: true };
    return this.apply(patch, 1, false);
  }

  /** Maybe change one to three keys before wake `wake` of the fault phase. */
  beforeWake(wake: number): Promise<DesiredChange[]> {
    if (!this.o.prng.chance(this.o.changeProbability)) return Promise.resolve([]);
    const n = this.o.prng.int(1, 3);
    const patch: Partial<Record<DrivenKey, Candidate>> = {};
    for (let i = 0; i < n; i++) {
      const k = this.o.prng.pick(KEYS);
      patch[k] = this.pick(k);
    }
    return this.apply(patch, wake, false);
  }

  /** Maybe change `signal` in the middle of wake `wake` (the device fetched desired already). */
  midWake(wake: number): Promise<DesiredChange[]> {
    if (!this.o.prng.chance(this.o.midWakeProbability)) return Promise.resolve([]);
    return this.apply({ signal: this.pick('signal') }, wake, true);
  }

  /** The last change before a quiet phase: a fresh valid `signal`, so the quiet phase must run one command. */
  final(wake: number): Promise<DesiredChange[]> {
    return this.apply({ signal: this.o.prng.pick(DRIVER_VALUES.signal.valid) }, wake, false);
  }
}
