import { beforeEach, describe, expect, test } from 'vitest';
import { SignalThing } from '../../firmware/things/signal-thing.js';
import type { JsonValue } from '../../src/json.js';
import type { ThingSchema } from '../../src/schema.js';
import { STATE_FILE } from '../../src/store.js';
import type { HandlerResult } from '../../src/thing.js';
import { MemoryHal, postedReported, wakeOnce } from '../support/memory-hal.js';

/** A thing that records every handler call, with one key of each field type. */
class Recorder extends SignalThing {
  static schema: ThingSchema = {
    position: { type: 'number', min: 0, max: 100 },
    mode: { type: 'enum', values: ['eco', 'boost'] },
    label: { type: 'string', maxLength: 8 },
    lamp: { type: 'boolean', idempotent: true },
  };
  readonly calls: string[];
  constructor(hal: MemoryHal, calls: string[]) {
    super(hal);
    this.calls = calls;
  }
  override async signal(to: number, from?: number): Promise<HandlerResult> {
    this.calls.push(`signal:${to}`);
    return super.signal(to, from);
  }
  override sleep(to: number): HandlerResult {
    this.calls.push(`sleep:${to}`);
    return `${to} s`;
  }
  override testEcho(param: JsonValue | undefined): HandlerResult {
    this.calls.push(`test echo:${String(param)}`);
    return `echo ${String(param)}`;
  }
  position(to: number, from: number | undefined): HandlerResult {
    this.calls.push(`position:${to}<-${String(from)}`);
    return `moved to ${to}`;
  }
  mode(to: string): HandlerResult {
    this.calls.push(`mode:${to}`);
  }
  label(to: string): HandlerResult {
    this.calls.push(`label:${to}`);
    return 'labelled';
  }
  lamp(to: boolean): HandlerResult {
    this.calls.push(`lamp:${to}`);
    return to ? 'on' : 'off';
  }
}

let hal: MemoryHal;
let calls: string[];
const recorder = (h: MemoryHal) => new Recorder(h, calls);
const setDesired = (patch: Record<string, unknown>) => hal.cloud.setDesired('id-1', patch, hal.clock.trueNow);

beforeEach(() => {
  hal = new MemoryHal();
  calls = [];
});

describe('cycle: dispatch', () => {
  test('runs handlers of keys that differ, in the fixed order: signal, test_param, test, subclass keys in schema order, sleep last', async () => {
    setDesired({ sleep: 45, lamp: true, label: 'hi', mode: 'eco', position: 40, test: 'echo', test_param: 7, signal: 2 });
    const s = await wakeOnce(hal, { thing: recorder });
    expect(calls).toEqual(['signal:2', 'test echo:7', 'position:40<-undefined', 'mode:eco', 'label:hi', 'lamp:true', 'sleep:45']);
    expect(s.outcomes.map((o) => o.key)).toEqual(['signal', 'test_param', 'test', 'position', 'mode', 'label', 'lamp', 'sleep']);
    expect(s.status).toBe(
      'done: signal: blinked 2 times; test_param: 7; test echo: echo 7; position: moved to 40; mode: ok; label: labelled; lamp: on; sleep: 45 s',
    );
    expect(s.sleep.seconds).toBe(45);
    expect(hal.sleeps).toEqual([45]);
  });

  test('does not run a handler again when desired equals current', async () => {
    setDesired({ position: 40, signal: 1 });
    await wakeOnce(hal, { thing: recorder });
    calls.length = 0;
    const s = await wakeOnce(hal, { thing: recorder });
    expect(calls).toEqual([]);
    expect(s.outcomes).toEqual([]);
    expect(s.status).toBe('done: nothing to do');
  });

  test('a handler gets the new value and the previous one', async () => {
    setDesired({ position: 40 });
    await wakeOnce(hal, { thing: recorder });
    setDesired({ position: 70 });
    await wakeOnce(hal, { thing: recorder });
    expect(calls).toEqual(['position:40<-undefined', 'position:70<-40']);
  });

  test('command key signal runs again when the same value is set again (newer desired timestamp)', async () => {
    setDesired({ signal: 3 });
    await wakeOnce(hal, { thing: recorder });
    await wakeOnce(hal, { thing: recorder });
    expect(calls).toEqual(['signal:3']);
    setDesired({ signal: 3 }); // same value, set again later: metadata timestamp is newer
    const s = await wakeOnce(hal, { thing: recorder });
    expect(calls).toEqual(['signal:3', 'signal:3']);
    expect(s.status).toBe('done: signal: blinked 3 times');
  });

  test('a non-command key does not run again when only its timestamp is newer', async () => {
    setDesired({ position: 10 });
    await wakeOnce(hal, { thing: recorder });
    setDesired({ position: 10 });
    await wakeOnce(hal, { thing: recorder });
    expect(calls).toEqual(['position:10<-undefined']);
  });

  test('test re-runs when test_param changes, and when set again with a newer timestamp', async () => {
    setDesired({ test: 'echo', test_param: 1 });
    await wakeOnce(hal, { thing: recorder });
    setDesired({ test_param: 2 });
    await wakeOnce(hal, { thing: recorder });
    setDesired({ test: 'echo' });
    await wakeOnce(hal, { thing: recorder });
    await wakeOnce(hal, { thing: recorder });
    expect(calls).toEqual(['test echo:1', 'test echo:2', 'test echo:2']);
  });

  test('test_param without test does not crash the wake (seed defect: KeyError)', async () => {
    setDesired({ test_param: 5 });
    const s = await wakeOnce(hal, { thing: recorder });
    expect(s.status).toBe('done: test_param: 5');
    expect(s.error).toBeUndefined();
    expect(calls).toEqual([]);
    expect(postedReported(hal).test_param).toBe(5);
    expect(hal.sleeps).toEqual([30]);
  });

  test('test "none" runs nothing', async () => {
    setDesired({ test: 'none', test_param: 3 });
    const s = await wakeOnce(hal, { thing: recorder });
    expect(calls).toEqual([]);
    expect(s.status).toBe('done: test_param: 3; test: "none"');
  });

  test('an unknown test name is a clear error and keeps the current test', async () => {
    setDesired({ test: 'bogus' });
    const s = await wakeOnce(hal, { thing: recorder });
    expect(s.status).toBe('error: test: expected "none" or a test of this thing (echo, led, memory), got "bogus" (kept "none")');
    expect(s.outcomes).toEqual([{ key: 'test', action: 'rejected', text: expect.stringContaining('got "bogus"') }]);
    expect(s.sleep.backoff).toBe(false);
  });

  test('sleep is validated (seed defect): 9000 is rejected, the device keeps sleeping 30 s', async () => {
    setDesired({ sleep: 9000 });
    const s = await wakeOnce(hal, { thing: recorder });
    expect(s.status).toBe('error: sleep: expected an integer 5..600, got 9000 (kept 30)');
    expect(hal.sleeps).toEqual([30]);
    expect(calls).toEqual([]);
    expect(s.sleep.backoff).toBe(false);
  });

  test('sleep: a valid value takes effect at the end of the same wake; an invalid one keeps the current value', async () => {
    setDesired({ sleep: 120 });
    await wakeOnce(hal, { thing: recorder });
    setDesired({ sleep: 4 });
    const s = await wakeOnce(hal, { thing: recorder });
    expect(s.status).toBe('error: sleep: expected an integer 5..600, got 4 (kept 120)');
    expect(hal.sleeps).toEqual([120, 120]);
  });

  test.each([
    ['a fraction', 30.5, 'got 30.5'],
    ['a NaN-like string', 'NaN', 'got "NaN"'],
    ['a numeric string', '60', 'got "60"'],
    ['a boolean', true, 'got true'],
    ['an object', { a: 1 }, 'got an object {"a":1}'],
    ['a long array', [1, 2, 3, 4, 5], 'got an array of 5 items'],
    ['a huge string', 'x'.repeat(5000), 'got a string of 5000 characters'],
  ])('sleep: %s is rejected with what was expected and what came', async (_name, value, got) => {
    setDesired({ sleep: value });
    const s = await wakeOnce(hal, { thing: recorder });
    expect(s.status).toBe(`error: sleep: expected an integer 5..600, ${got} (kept 30)`);
    expect(hal.sleeps).toEqual([30]);
  });

  test('subclass keys are validated by type and range', async () => {
    setDesired({ position: 101, mode: 'turbo', label: 'far too long', lamp: 'yes' });
    const s = await wakeOnce(hal, { thing: recorder });
    expect(calls).toEqual([]);
    expect(s.status).toBe(
      'error: position: expected a number 0..100, got 101 (kept nothing); mode: expected one of "eco", "boost", got "turbo" (kept nothing); ' +
        'label: expected a string of at most 8 characters, got "far too long" (kept nothing); lamp: expected true or false, got "yes" (kept nothing)',
    );
  });

  test('an invalid value is reported once, not on every wake; set again later, it is reported again', async () => {
    setDesired({ sleep: 9000 });
    const s1 = await wakeOnce(hal, { thing: recorder });
    const s2 = await wakeOnce(hal, { thing: recorder });
    expect(s1.outcomes.map((o) => o.action)).toEqual(['rejected']);
    expect(s2.outcomes).toEqual([]);
    expect(s2.report.sent).toBe(false);
    setDesired({ sleep: 9000 });
    const s3 = await wakeOnce(hal, { thing: recorder });
    expect(s3.outcomes.map((o) => o.action)).toEqual(['rejected']);
  });

  test('unknown desired keys are listed once as ignored', async () => {
    setDesired({ colour: 'red', brightness: 3, signal: 1 });
    const s1 = await wakeOnce(hal, { thing: recorder });
    expect(s1.status).toBe('error: ignored unknown keys: colour, brightness; signal: blinked 1 time');
    const s2 = await wakeOnce(hal, { thing: recorder });
    expect(s2.status).toBe('done: nothing to do');
    setDesired({ hue: 7 });
    const s3 = await wakeOnce(hal, { thing: recorder });
    expect(s3.status).toBe('error: ignored unknown key: hue');
  });

  test('reported-only keys (status, device) in desired are ignored like unknown keys', async () => {
    setDesired({ status: 'hacked', device: { fw: 'x' } });
    const s = await wakeOnce(hal, { thing: recorder });
    expect(s.status).toBe('error: ignored unknown keys: status, device');
    expect(postedReported(hal).status).toBe(s.status);
  });

  test('a handler that throws: error status with its message, current kept, not retried until desired changes', async () => {
    class Stalls extends Recorder {
      override position(to: number): HandlerResult {
        this.calls.push(`position:${to}`);
        throw new Error('motor stalled');
      }
    }
    setDesired({ position: 50 });
    const s1 = await wakeOnce(hal, { thing: (h) => new Stalls(h, calls) });
    expect(s1.status).toBe('error: position: motor stalled');
    expect(s1.outcomes).toEqual([{ key: 'position', action: 'failed', text: 'position: motor stalled' }]);
    expect(s1.sleep.backoff).toBe(false);
    expect(postedReported(hal).position).toBeUndefined();
    await wakeOnce(hal, { thing: (h) => new Stalls(h, calls) });
    expect(calls).toEqual(['position:50']);
    setDesired({ position: 60 });
    await wakeOnce(hal, { thing: (h) => new Stalls(h, calls) });
    expect(calls).toEqual(['position:50', 'position:60']);
  });
});

describe('cycle: reporting', () => {
  test('reported is the current state plus status and device facts', async () => {
    hal.battery = 3.71234;
    setDesired({ signal: 1, sleep: 60, position: 12 });
    const s = await wakeOnce(hal, { thing: recorder });
    const r = postedReported(hal);
    expect(r).toEqual({
      signal: 1,
      position: 12,
      sleep: 60,
      status: s.status,
      device: { fw: '0.1.0', wakes: 1, reset: 'power-on', mem: 120000, rssi: -61, battery: 3.71 },
    });
    expect(s.report).toEqual({ sent: true, reason: 'changed' });
  });

  test('nothing changed and nothing pending: no POST', async () => {
    setDesired({ signal: 1 });
    await wakeOnce(hal, { thing: recorder });
    const posts = hal.cloud.posts().length;
    const s = await wakeOnce(hal, { thing: recorder });
    expect(hal.cloud.posts().length).toBe(posts);
    expect(s.report).toEqual({ sent: false, reason: 'nothing-to-report' });
  });

  test('heartbeat: a report after the heartbeat interval even when nothing changed, keeping the last status', async () => {
    setDesired({ signal: 1, sleep: 600 });
    const first = await wakeOnce(hal, { thing: recorder });
    const opts = { heartbeatSeconds: 1800 };
    const s2 = await wakeOnce(hal, { thing: recorder, options: opts }); // +600 s
    const s3 = await wakeOnce(hal, { thing: recorder, options: opts }); // +1200 s
    const s4 = await wakeOnce(hal, { thing: recorder, options: opts }); // +1800 s
    expect([s2.report.sent, s3.report.sent, s4.report.sent]).toEqual([false, false, true]);
    expect(s4.report.reason).toBe('heartbeat');
    const r = postedReported(hal);
    expect(r.status).toBeUndefined(); // the cloud keeps the last status (merge)
    expect((r.device as { wakes: number }).wakes).toBe(4);
    expect(hal.cloud.reported('id-1')?.status).toBe(first.status);
  });

  test('a report that could not be sent is kept and sent on the next wake', async () => {
    setDesired({ signal: 2 });
    hal.cloud.failures.push({ status: 503, method: 'POST', message: 'Service Unavailable' });
    const s1 = await wakeOnce(hal, { thing: recorder });
    expect(s1.report).toEqual({ sent: false, reason: 'changed' });
    expect(s1.error).toBe('ECLOUD');
    expect(s1.status).toMatch(/^error: ECLOUD: .*503.*; signal: blinked 2 times$/);
    const s2 = await wakeOnce(hal, { thing: recorder });
    expect(calls).toEqual(['signal:2']);
    expect(s2.report).toEqual({ sent: true, reason: 'pending' });
    expect(postedReported(hal).status).toBe('done: signal: blinked 2 times');
    expect(postedReported(hal).signal).toBe(2);
    const s3 = await wakeOnce(hal, { thing: recorder });
    expect(s3.report.sent).toBe(false);
  });

  test('no shadow yet (404): empty desired, the device reports its state', async () => {
    const s = await wakeOnce(hal, { thing: recorder });
    expect(s.error).toBeUndefined();
    expect(s.status).toBe('done: nothing to do');
    expect(s.report).toEqual({ sent: true, reason: 'changed' });
    expect(postedReported(hal).status).toBe('done: nothing to do');
    expect(hal.sleeps).toEqual([30]);
  });

  test('a shadow deleted in the cloud is re-reported from the current state (the device is the truth)', async () => {
    setDesired({ position: 33 });
    await wakeOnce(hal, { thing: recorder });
    hal.cloud.deleteShadow('id-1');
    const s = await wakeOnce(hal, { thing: recorder });
    expect(s.report).toEqual({ sent: true, reason: 'changed' });
    expect(hal.cloud.reported('id-1')?.position).toBe(33);
    expect(calls).toEqual(['position:33<-undefined']);
  });
});

describe('cycle: persistence', () => {
  test('the state record is written only when it changed', async () => {
    setDesired({ position: 5 });
    await wakeOnce(hal, { thing: recorder });
    const writes = hal.writes.get(STATE_FILE) ?? 0;
    expect(writes).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) await wakeOnce(hal, { thing: recorder });
    expect(hal.writes.get(STATE_FILE)).toBe(writes);
  });

  test('a corrupt state record is detected, reset, and said in the status', async () => {
    setDesired({ position: 5 });
    await wakeOnce(hal, { thing: recorder });
    hal.damageFile(STATE_FILE);
    const s = await wakeOnce(hal, { thing: recorder });
    expect(s.status).toBe('error: ECORRUPT: state record failed its checksum and was reset; position: moved to 5');
    expect(s.sleep.backoff).toBe(false);
    const s2 = await wakeOnce(hal, { thing: recorder });
    expect(s2.status).toBe('done: nothing to do');
  });

  test('a corrupt RTC record is detected and reset (wake count restarts)', async () => {
    await wakeOnce(hal, { thing: recorder });
    await wakeOnce(hal, { thing: recorder });
    hal.rtcData = `${hal.rtcData?.substring(0, 20)}#${hal.rtcData?.substring(21)}`;
    const s = await wakeOnce(hal, { thing: recorder });
    expect(s.status).toMatch(/^error: ECORRUPT: RTC record failed its checksum and was reset/);
    expect(s.wake).toBe(1);
  });

  test('wake count survives deep sleep but not a power loss', async () => {
    const a = await wakeOnce(hal);
    const b = await wakeOnce(hal);
    hal.powerCut();
    const c = await wakeOnce(hal);
    expect([a.wake, b.wake, c.wake]).toEqual([1, 2, 1]);
    expect([a.reason, b.reason, c.reason]).toEqual(['power-on', 'timer', 'power-on']);
  });

  test('current state survives a power loss: nothing re-runs', async () => {
    setDesired({ signal: 2, position: 9 });
    await wakeOnce(hal, { thing: recorder });
    hal.powerCut();
    const s = await wakeOnce(hal, { thing: recorder });
    expect(calls).toEqual(['signal:2', 'position:9<-undefined']);
    expect(s.outcomes).toEqual([]);
  });
});

describe('cycle: hostile desired documents', () => {
  test('__proto__, constructor and prototype keys are ignored and pollute nothing', async () => {
    hal.cloud.setDesiredRaw('id-1', '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}},"prototype":3,"signal":1}', hal.clock.trueNow);
    const s = await wakeOnce(hal, { thing: recorder });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    expect(s.status).toBe('error: ignored unknown keys: __proto__, constructor, prototype; signal: blinked 1 time');
    expect(calls).toEqual(['signal:1']);
  });

  test('a desired section that is not an object is an EBADDOC status, not a crash', async () => {
    hal.cloud.setDesiredRaw('id-1', '{}', hal.clock.trueNow);
    const shadow = hal.cloud.shadows.get('id-1');
    if (shadow) shadow.desired = [1, 2] as unknown as Record<string, unknown>;
    const s = await wakeOnce(hal, { thing: recorder });
    expect(s.status).toBe('error: EBADDOC: shadow: desired: expected an object, got [1,2]');
    expect(hal.sleeps).toEqual([30]);
  });

  test('many unknown keys: five are named, the rest counted, once', async () => {
    const patch: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) patch[`k${i}`] = i;
    setDesired(patch);
    const s1 = await wakeOnce(hal, { thing: recorder });
    expect(s1.status).toBe('error: ignored unknown keys: k0, k1, k2, k3, k4 and 35 more');
    const s2 = await wakeOnce(hal, { thing: recorder });
    expect(s2.outcomes).toEqual([]);
  });
});
