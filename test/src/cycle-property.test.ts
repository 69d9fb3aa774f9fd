import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { ShadeThing } from '../../firmware/things/shade-thing.js';
import { MemoryHal, wakeOnce } from '../support/memory-hal.js';

const keyArb = fc.oneof(
  fc.constantFrom('sleep', 'signal', 'test', 'test_param', 'position', 'status', 'device'),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'hal', 'delay', 'blink', 'beginWake'),
  fc.string({ maxLength: 40 }),
);

const valueArb = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.integer({ min: -10, max: 700 }),
  fc.constantFrom('none', 'led', 'memory', 'echo', 'NaN', 'Infinity', '-0', '1e309', 'testLed', '__proto__'),
  fc.string({ minLength: 100, maxLength: 3000 }),
  fc.constant({ __proto__: { polluted: true } }),
);

/** A desired section as JSON text, so keys such as `__proto__` arrive the way the wire brings them. */
const desiredArb = fc.array(fc.tuple(keyArb, valueArb), { maxLength: 12 }).map((entries) =>
  `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`,
);

const faultArb = fc.constantFrom('none', 'net', 'http503', 'ntp', 'post500', 'power-on');

describe('cycle: property', () => {
  test('any desired document: every wake ends in deep sleep with a done:/error: status, and nothing is polluted', async () => {
    const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(desiredArb, faultArb), { minLength: 1, maxLength: 3 }), async (wakes) => {
        const hal = new MemoryHal();
        for (const [desired, fault] of wakes) {
          hal.cloud.setDesiredRaw('id-1', desired, hal.clock.trueNow);
          delete hal.faults.net;
          delete hal.faults.ntp;
          if (fault === 'net') hal.faults.net = { code: 'ENET', message: 'no AP' };
          if (fault === 'ntp') hal.faults.ntp = 'timeout';
          if (fault === 'http503') hal.cloud.failures.push({ status: 503 });
          if (fault === 'post500') hal.cloud.failures.push({ status: 500, method: 'POST' });
          if (fault === 'power-on') hal.powerCut();
          const sleepsBefore = hal.sleeps.length;
          const s = await wakeOnce(hal, { thing: (h) => new ShadeThing(h) });
          expect(hal.sleeps.length).toBe(sleepsBefore + 1);
          expect(s.sleep.seconds).toBeGreaterThanOrEqual(5);
          expect(s.sleep.seconds).toBeLessThanOrEqual(600);
          expect(s.status).toMatch(/^(done|error): /);
          expect(s.status.length).toBeLessThanOrEqual(300);
          expect(s.awakeMs).toBeLessThanOrEqual(22000);
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        }
        expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore);
      }),
      { numRuns: 150 },
    );
  });
});
