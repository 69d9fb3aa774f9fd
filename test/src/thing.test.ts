import { describe, expect, test } from 'vitest';
import { ShadeThing } from '../../firmware/things/shade-thing.js';
import { SignalThing } from '../../firmware/things/signal-thing.js';
import { describeExpected, validateValue, type FieldSpec, type ThingSchema } from '../../src/schema.js';
import { statusLine, scrub } from '../../src/status.js';
import { BaseThing, handlerFor, resultText, runTest, testMethodName, thingKeys, thingTests, validateKey, type HandlerResult } from '../../src/thing.js';
import { DEFAULTS } from '../../src/wake-options.js';
import { MemoryHal, postedReported, wakeOnce } from '../support/memory-hal.js';

class Shade extends BaseThing {
  static schema: ThingSchema = { position: { type: 'number', min: 0, max: 100 }, speed: { type: 'integer', min: 1, max: 3 } };
  async position(to: number): Promise<HandlerResult> {
    return `moved to ${to}`;
  }
}

class Awning extends Shade {
  // merged with Shade's schema along the class chain (TypeScript wants `override` on the static)
  static override schema: ThingSchema = {
    tilt: { type: 'integer', min: -45, max: 45 },
    sleep: { type: 'integer', min: 1, max: 99999 }, // base keys cannot be redefined
    status: { type: 'string' }, // reported-only keys cannot be declared
    __proto__x: { type: 'nonsense' } as unknown as FieldSpec, // not a field spec: skipped
  };
  testWind(): HandlerResult {
    return 'calm';
  }
}

describe('thing: keys and order', () => {
  test('base keys first (signal, test_param, test), then subclass keys along the class chain in schema order, sleep last', () => {
    const hal = new MemoryHal();
    expect(thingKeys(new Awning(hal), DEFAULTS).map((k) => k.key)).toEqual(['signal', 'test_param', 'test', 'position', 'speed', 'tilt', 'sleep']);
    expect(thingKeys(new BaseThing(hal), DEFAULTS).map((k) => k.key)).toEqual(['signal', 'test_param', 'test', 'sleep']);
  });

  test('a subclass cannot redefine a base key: sleep keeps 5..600', () => {
    const keys = thingKeys(new Awning(new MemoryHal()), DEFAULTS);
    expect(keys.find((k) => k.key === 'sleep')?.spec).toMatchObject({ type: 'integer', min: 5, max: 600 });
    expect(keys.find((k) => k.key === 'status')).toBeUndefined();
  });

  test('tests are methods named test + capitalised name, inherited too', () => {
    const hal = new MemoryHal();
    expect(thingTests(new SignalThing(hal))).toEqual(['echo', 'led', 'memory']);
    expect(thingTests(new Awning(hal))).toEqual(['wind']);
    expect(thingTests(new BaseThing(hal))).toEqual([]);
    expect(testMethodName('led')).toBe('testLed');
  });

  test('handlers: the method named like the key; never Object.prototype or helper members', () => {
    const thing = new Awning(new MemoryHal());
    expect(handlerFor(thing, 'position')).toBeTypeOf('function');
    expect(handlerFor(thing, 'tilt')).toBeUndefined(); // a key without a method is only stored
    expect(handlerFor(thing, 'toString')).toBeUndefined();
    expect(handlerFor(thing, 'constructor')).toBeUndefined();
    expect(handlerFor(thing, 'delay')).toBeUndefined();
    expect(handlerFor(thing, '__proto__')).toBeUndefined();
  });

  test('runTest rejects a name that is not a test of the thing', async () => {
    const thing = new SignalThing(new MemoryHal());
    await expect(runTest(thing, 'constructor', 1) as Promise<unknown>).rejects.toThrow('no test named "constructor"');
    expect(runTest(thing, 'none', 1)).toBe('none');
  });

  test('validateKey: test must be "none" or a test of the thing', () => {
    const thing = new SignalThing(new MemoryHal());
    const k = thingKeys(thing, DEFAULTS).find((x) => x.key === 'test');
    if (!k) throw new Error('no test key');
    expect(validateKey(thing, k, 'led').ok).toBe(true);
    expect(validateKey(thing, k, 'none').ok).toBe(true);
    expect(validateKey(thing, k, 'Led')).toEqual({ ok: false, expected: '"none" or a test of this thing (echo, led, memory)', got: '"Led"' });
    expect(validateKey(thing, k, 3).ok).toBe(false);
  });

  test('resultText: nothing returned is ok; long or multi-line text is tamed', () => {
    expect(resultText(undefined)).toBe('ok');
    expect(resultText('')).toBe('ok');
    expect(resultText('a\nb')).toBe('a b');
    expect(resultText('x'.repeat(200))).toHaveLength(80);
    expect(resultText(42)).toBe('42');
  });
});

describe('schema: validation', () => {
  const cases: [FieldSpec, unknown, boolean][] = [
    [{ type: 'integer', min: 5, max: 600 }, 5, true],
    [{ type: 'integer', min: 5, max: 600 }, 600, true],
    [{ type: 'integer', min: 5, max: 600 }, 601, false],
    [{ type: 'integer' }, 1.5, false],
    [{ type: 'integer' }, Infinity, false],
    [{ type: 'number' }, NaN, false],
    [{ type: 'number' }, '1', false],
    [{ type: 'number', min: 0 }, -0.1, false],
    [{ type: 'number' }, -1e300, true],
    [{ type: 'string' }, 'x'.repeat(64), true],
    [{ type: 'string' }, 'x'.repeat(65), false],
    [{ type: 'string', maxLength: 3 }, 'abcd', false],
    [{ type: 'string' }, ['a'], false],
    [{ type: 'boolean' }, false, true],
    [{ type: 'boolean' }, 0, false],
    [{ type: 'enum', values: ['a', 2] }, 2, true],
    [{ type: 'enum', values: ['a', 2] }, '2', false],
    [{ type: 'enum', values: ['a', 2] }, { a: 1 }, false],
  ];
  test.each(cases)('%j accepts %j: %s', (spec, value, ok) => {
    expect(validateValue(spec, value).ok).toBe(ok);
  });

  test('describeExpected says what is expected in words', () => {
    expect(describeExpected({ type: 'integer', min: 5, max: 600 })).toBe('an integer 5..600');
    expect(describeExpected({ type: 'number', min: 0 })).toBe('a number >= 0');
    expect(describeExpected({ type: 'string', maxLength: 8 })).toBe('a string of at most 8 characters');
    expect(describeExpected({ type: 'enum', values: ['a', 1] })).toBe('one of "a", 1');
  });

  test('an unknown field type never validates and never throws', () => {
    expect(validateValue({ type: 'date' } as unknown as FieldSpec, 'x')).toEqual({ ok: false, expected: 'a known field type', got: '"x"' });
  });
});

describe('status line', () => {
  test('errors first, then what was done; codes where a failure had one', () => {
    expect(statusLine([{ kind: 'done', text: 'signal: blinked 3 times' }, { kind: 'error', text: 'ENET: down' }], 300)).toBe(
      'error: ENET: down; signal: blinked 3 times',
    );
    expect(statusLine([], 300)).toBe('done: nothing to do');
  });
  test('bounded in length and scrubbed of secrets', () => {
    const line = statusLine([{ kind: 'error', text: `key wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY ${'y'.repeat(500)}` }], 100, [
      'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    ]);
    expect(line).toHaveLength(100);
    expect(line).not.toContain('EXAMPLEKEY');
    expect(scrub('abc secret abc', ['secret'])).toBe('abc *** abc');
  });
  test('a long message is cut so that the codes of the items after it stay on the line', () => {
    const items = [
      { kind: 'error' as const, text: `ETLS: POST /things/t/shadow: TLS failed: ${'altname '.repeat(60)}` },
      { kind: 'error' as const, text: 'ECORRUPT: state record failed its checksum and was reset' },
      { kind: 'done' as const, text: 'signal: blinked 3 times' },
    ];
    const line = statusLine(items, 300);
    expect(line.length).toBeLessThanOrEqual(300);
    expect(line).toContain('ETLS: POST /things/t/shadow');
    expect(line).toContain('; ECORRUPT: state record failed its checksum and was reset; signal: blinked 3 times');
  });
  test('with more items than the line holds, each keeps its head and the line stays bounded', () => {
    const items = [];
    for (let i = 0; i < 30; i++) items.push({ kind: 'error' as const, text: `E${i}: ${'x'.repeat(40)}` });
    const line = statusLine(items, 300);
    expect(line).toHaveLength(300);
    expect(line.startsWith('error: E0: xxx')).toBe(true);
    expect(line).toContain('; E5: xxx');
    expect(line.endsWith('...')).toBe(true);
  });
  test('scrubbing hides a piece of a secret that a message quoted cut short, and leaves other words', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
    const quoted = `aws_iot_cfg.txt: field "thing": expected a thing name, got "${secret.substring(0, 33)}..."`;
    const out = scrub(quoted, [secret]);
    expect(out).toBe('aws_iot_cfg.txt: field "thing": expected a thing name, got "***..."');
    expect(scrub('region us-east-1 endpoint abc123-ats', [secret])).toBe('region us-east-1 endpoint abc123-ats');
    // Short runs that happen to occur in a secret are words, not leaks.
    expect(scrub('got "K7MD"', [secret])).toBe('got "K7MD"');
  });
});

describe('SignalThing and BaseThing helpers', () => {
  test('signal blinks the indicator N times, 200 ms on and 200 ms off', async () => {
    const hal = new MemoryHal();
    const t = new SignalThing(hal);
    t.beginWake(hal.clock.uptime() + 20000, 5000);
    expect(await t.signal(3)).toBe('blinked 3 times');
    expect(hal.indicatorEvents).toEqual([
      { on: true, at: 0 }, { on: false, at: 200 }, { on: true, at: 400 }, { on: false, at: 600 }, { on: true, at: 800 }, { on: false, at: 1000 },
    ]);
  });

  test('signal 0 blinks nothing', async () => {
    const hal = new MemoryHal();
    expect(await new SignalThing(hal).signal(0)).toBe('blinked 0 times');
    expect(hal.indicatorEvents).toEqual([]);
  });

  test('signal blinks faster when the handler budget is short', async () => {
    const hal = new MemoryHal();
    const t = new SignalThing(hal);
    t.beginWake(hal.clock.uptime() + 3000, 1000); // 2 s for 10 blinks: 200 ms each
    await t.signal(10);
    expect(hal.indicatorEvents.filter((e) => e.on)).toHaveLength(10);
    expect(hal.clock.uptime()).toBeLessThanOrEqual(2000);
  });

  test('remainingMs and handlerBudgetMs count down with the clock', () => {
    const hal = new MemoryHal({ autoAdvance: false });
    const t = new BaseThing(hal);
    t.beginWake(10000, 3000);
    expect(t.remainingMs()).toBe(10000);
    expect(t.handlerBudgetMs()).toBe(7000);
    hal.clock.advance(8000);
    expect(t.remainingMs()).toBe(2000);
    expect(t.handlerBudgetMs()).toBe(0);
  });

  test('test led lights the indicator for test_param ms', async () => {
    const hal = new MemoryHal();
    hal.cloud.setDesired('id-1', { test: 'led', test_param: 1000 }, hal.clock.trueNow);
    const s = await wakeOnce(hal);
    expect(s.status).toBe('done: test_param: 1000; test led: ok in 1000 ms');
    const on = hal.indicatorEvents.find((e) => e.on);
    const off = hal.indicatorEvents.find((e) => !e.on);
    expect((off?.at ?? 0) - (on?.at ?? 0)).toBe(1000);
  });

  test('test led is capped to the handler budget', async () => {
    const hal = new MemoryHal();
    hal.cloud.setDesired('id-1', { test: 'led', test_param: 60000 }, hal.clock.trueNow);
    const s = await wakeOnce(hal);
    expect(s.status).toMatch(/^done: test_param: 60000; test led: ok in 1\d\d\d\d ms \(capped from 60000\)$/);
    expect(s.error).toBeUndefined();
  });

  test('test memory reports free memory; test echo returns its parameter', async () => {
    const hal = new MemoryHal({ memory: { free: 1234, total: 5678 } });
    hal.cloud.setDesired('id-1', { test: 'memory' }, hal.clock.trueNow);
    expect((await wakeOnce(hal)).status).toBe('done: test memory: free 1234 of 5678 bytes');
    hal.cloud.setDesired('id-1', { test: 'echo', test_param: 42 }, hal.clock.trueNow);
    expect((await wakeOnce(hal)).status).toBe('done: test_param: 42; test echo: echo 42');
  });

  test('the example ShadeThing: position is validated, applied and reported', async () => {
    const hal = new MemoryHal();
    hal.cloud.setDesired('id-1', { position: 40 }, hal.clock.trueNow);
    const s = await wakeOnce(hal, { thing: (h) => new ShadeThing(h) });
    expect(s.status).toBe('done: position: moved to 40');
    expect(postedReported(hal).position).toBe(40);
    expect(hal.indicatorEvents.filter((e) => e.on)).toHaveLength(2);
    hal.cloud.setDesired('id-1', { position: 140 }, hal.clock.trueNow);
    expect((await wakeOnce(hal, { thing: (h) => new ShadeThing(h) })).status).toBe('error: position: expected a number 0..100, got 140 (kept 40)');
  });
});
