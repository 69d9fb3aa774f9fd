import { describe, expect, test } from 'vitest';
import { SignalThing } from '../../firmware/things/signal-thing.js';
import { backoffSleep, countsAsFailure, unitRandom } from '../../src/backoff.js';
import type { ThingSchema } from '../../src/schema.js';
import { STATE_FILE } from '../../src/store.js';
import type { HandlerResult } from '../../src/thing.js';
import { MemoryHal, wakeOnce } from '../support/memory-hal.js';

const noAp = { code: 'ENET' as const, message: 'wifi join failed (no AP)' };

describe('backoff: sleep after failed wakes', () => {
  test('grows exponentially from sleep, capped at 600 s, each step jittered into [75 %, 100 %]', async () => {
    const hal = new MemoryHal();
    hal.faults.net = noAp;
    const got: { seconds: number; attempt: number }[] = [];
    for (let i = 0; i < 7; i++) {
      const s = await wakeOnce(hal);
      expect(s.sleep.backoff).toBe(true);
      expect(s.status).toBe('error: ENET: wifi join failed (no AP)');
      got.push({ seconds: s.sleep.seconds, attempt: s.sleep.attempt });
    }
    expect(got.map((g) => g.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const steps = [60, 120, 240, 480, 600, 600, 600];
    got.forEach((g, i) => {
      expect(g.seconds).toBeLessThanOrEqual(steps[i] as number);
      expect(g.seconds).toBeGreaterThanOrEqual(Math.ceil((steps[i] as number) * 0.75));
    });
    expect(hal.sleeps).toEqual(got.map((g) => g.seconds));
    expect(hal.netDowns).toBe(7); // the radio goes off on every path
  });

  test('the first good wake resets the backoff', async () => {
    const hal = new MemoryHal();
    hal.faults.net = noAp;
    await wakeOnce(hal);
    await wakeOnce(hal);
    delete hal.faults.net;
    const good = await wakeOnce(hal);
    expect(good.sleep).toEqual({ seconds: 30, backoff: false, attempt: 0 });
    hal.faults.net = noAp;
    const again = await wakeOnce(hal);
    expect(again.sleep.attempt).toBe(1);
    expect(again.sleep.seconds).toBeLessThanOrEqual(60);
  });

  test('backs off from the desired sleep, not the default', async () => {
    const hal = new MemoryHal();
    hal.cloud.setDesired('id-1', { sleep: 100 }, hal.clock.trueNow);
    await wakeOnce(hal);
    hal.cloud.failures.push({ status: 500, message: 'Internal failure' });
    const s = await wakeOnce(hal);
    expect(s.error).toBe('ECLOUD');
    expect(s.sleep.seconds).toBeGreaterThanOrEqual(150);
    expect(s.sleep.seconds).toBeLessThanOrEqual(200);
  });

  test('jitter spreads a fleet that failed together', async () => {
    const sleeps: number[] = [];
    for (let seed = 1; seed <= 40; seed++) {
      const hal = new MemoryHal({ seed: seed * 7919 });
      hal.faults.net = noAp;
      await wakeOnce(hal);
      await wakeOnce(hal);
      sleeps.push((await wakeOnce(hal)).sleep.seconds);
    }
    for (const s of sleeps) {
      expect(s).toBeGreaterThanOrEqual(180);
      expect(s).toBeLessThanOrEqual(240);
    }
    expect(new Set(sleeps).size).toBeGreaterThan(15);
    expect(Math.max(...sleeps) - Math.min(...sleeps)).toBeGreaterThan(30);
  });

  test('a power loss forgets the backoff (it lives in RTC memory)', async () => {
    const hal = new MemoryHal();
    hal.faults.net = noAp;
    await wakeOnce(hal);
    await wakeOnce(hal);
    hal.powerCut();
    const s = await wakeOnce(hal);
    expect(s.sleep.attempt).toBe(1);
  });

  test.each([
    ['no network', (hal: MemoryHal) => { hal.faults.net = noAp; }, 'ENET'],
    ['cloud unreachable', (hal: MemoryHal) => { hal.faults.http = 'ECONN'; }, 'ECONN'],
    ['cloud 503', (hal: MemoryHal) => { hal.cloud.failures.push({ status: 503 }); }, 'ECLOUD'],
    ['throttled 429', (hal: MemoryHal) => { hal.cloud.failures.push({ status: 429 }); }, 'ECLOUD'],
    ['auth refused', (hal: MemoryHal) => { hal.cloud.failures.push({ status: 401 }); }, 'EAUTH'],
    ['request timed out', (hal: MemoryHal) => { hal.cloud.hang = true; }, 'ETIMEOUT'],
  ])('counts as a failed wake: %s', async (_n, inject, code) => {
    const hal = new MemoryHal();
    await wakeOnce(hal);
    inject(hal);
    const s = await wakeOnce(hal);
    expect(s.error).toBe(code);
    expect(s.sleep.backoff).toBe(true);
  });

  test('does not count: invalid desired values, failing handlers, a reset corrupt record', async () => {
    class Fails extends SignalThing {
      static schema: ThingSchema = { position: { type: 'number' } };
      position(): HandlerResult {
        throw new Error('jammed');
      }
    }
    const hal = new MemoryHal();
    hal.cloud.setDesired('id-1', { sleep: 9000, position: 3, signal: 'many' }, hal.clock.trueNow);
    const s = await wakeOnce(hal, { thing: (h) => new Fails(h) });
    expect(s.status).toMatch(/^error: /);
    expect(s.sleep).toEqual({ seconds: 30, backoff: false, attempt: 0 });
    hal.damageFile(STATE_FILE);
    const s2 = await wakeOnce(hal, { thing: (h) => new Fails(h) });
    expect(s2.status).toMatch(/ECORRUPT/);
    expect(s2.sleep.backoff).toBe(false);
  });
});

describe('backoff: the formula', () => {
  const base = { baseSeconds: 30, maxSeconds: 600, jitter: 0.25 };
  test('attempt 0 is the plain sleep', () => {
    expect(backoffSleep({ ...base, attempt: 0, random: 0.9 })).toBe(30);
  });
  test('random 0 gives the full step, random near 1 takes off a quarter', () => {
    expect(backoffSleep({ ...base, attempt: 2, random: 0 })).toBe(120);
    expect(backoffSleep({ ...base, attempt: 2, random: 0.9999 })).toBe(90);
  });
  test('a huge attempt count stays at the cap and never overflows', () => {
    expect(backoffSleep({ ...base, attempt: 5000, random: 0 })).toBe(600);
    expect(backoffSleep({ ...base, attempt: 5000, random: 0.5 })).toBe(525);
  });
  test('never below the plain sleep', () => {
    expect(backoffSleep({ ...base, baseSeconds: 500, attempt: 1, random: 0.9999 })).toBe(500);
  });
  test('unitRandom maps two bytes into [0, 1)', () => {
    expect(unitRandom(new Uint8Array([0, 0]))).toBe(0);
    expect(unitRandom(new Uint8Array([255, 255]))).toBeLessThan(1);
    expect(unitRandom(new Uint8Array([128, 0]))).toBe(0.5);
  });
  test('which codes count as failure', () => {
    for (const c of ['ENET', 'EDNS', 'ECONN', 'ETLS', 'ETIMEOUT', 'EAUTH', 'ECLOUD', 'EBUDGET', 'ECONFIG', 'ETIME'] as const) expect(countsAsFailure(c)).toBe(true);
    for (const c of ['EINVALID', 'EHANDLER', 'EINTERRUPTED', 'ECORRUPT', 'ESTORAGE'] as const) expect(countsAsFailure(c)).toBe(false);
  });
});
