/**
 * The fault plan model: the seeded generator, plan validation (errors name the field, what was
 * expected and what came), the schedule (deterministic per seed, device, wake and rule; rules
 * restricted to wakes and devices), and the directive a device sends the cloud.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  encodeDirective, FAULT_KIND_NAMES, FAULT_KINDS, FIRMWARE_FILES, faultPlanFromEnv, mixSeed, parseDirective, parseFaultPlan, planBetween, planWake, Prng, readFaultPlan,
} from '../../hal/sim/faults/index.js';
import { INTENT_FILE, STATE_FILE } from '../../src/store.js';
import { isErrorCode } from '../../src/errors.js';

const plan = (rules: unknown[], seed?: number): unknown => (seed === undefined ? { rules } : { seed, rules });

describe('fault plan: seeded generator', () => {
  it('the same seed gives the same numbers; another seed others', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const xs = Array.from({ length: 50 }, () => a.next());
    expect(Array.from({ length: 50 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 50 }, () => c.next())).not.toEqual(xs);
  });

  it('numbers are uniform enough: 10,000 draws fill ten buckets evenly, ints stay in range', () => {
    const p = new Prng(7);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const x = p.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      buckets[Math.floor(x * 10)]!++;
    }
    for (const n of buckets) expect(Math.abs(n - 1000)).toBeLessThan(120);
    for (let i = 0; i < 1000; i++) {
      const n = p.int(3, 5);
      expect([3, 4, 5]).toContain(n);
    }
  });

  it('derived streams differ by label and do not depend on each other', () => {
    expect(mixSeed(1, 'device', 2)).not.toBe(mixSeed(1, 'device', 3));
    expect(mixSeed(1, 'device', 2)).not.toBe(mixSeed(2, 'device', 2));
    expect(mixSeed(1, 'a', 'bc')).not.toBe(mixSeed(1, 'ab', 'c'));
    expect(mixSeed(9, 'x')).toBe(mixSeed(9, 'x'));
  });
});

describe('fault plan: validation', () => {
  const bad = (v: unknown): string => {
    try {
      parseFaultPlan(v, 'faults.json');
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected the plan to be refused');
  };

  it('a valid plan parses, with probability 1 by default and the kind fields kept', () => {
    const p = parseFaultPlan(plan([
      { kind: 'wifi-fail', probability: 0.02 },
      { kind: 'http-503', wakes: [300, 308], request: 'GET' },
      { kind: 'power-cut', device: [1, 3], wake: 57, at: 'handler', nth: 2 },
      { kind: 'bit-flip', file: 'any', comment: 'any record' },
    ], 5), 'faults.json');
    expect(p.seed).toBe(5);
    expect(p.rules).toEqual([
      { kind: 'wifi-fail', probability: 0.02 },
      { kind: 'http-503', probability: 1, wakes: [300, 308], request: 'GET' },
      { kind: 'power-cut', probability: 1, devices: [1, 3], wake: 57, at: 'handler', nth: 2 },
      { kind: 'bit-flip', probability: 1, file: 'any' },
    ]);
  });

  it('errors name the field, what was expected and what came', () => {
    expect(bad([])).toBe('faults.json: expected a JSON object like {"rules": [...]}, got an array of 0');
    expect(bad({ rules: 3 })).toBe('faults.json: rules: expected an array of rules, got 3');
    expect(bad({ rules: [], extra: 1 })).toBe('faults.json: unknown field "extra" (expected seed, rules, comment)');
    expect(bad(plan([{ kind: 'wifi-fial' }]))).toMatch(/^faults\.json: rules\[0\]\.kind: expected one of wifi-fail, net-hang, .*, got "wifi-fial"$/);
    expect(bad(plan([{ kind: 'wifi-fail', probability: 1.5 }]))).toBe('faults.json: rules[0].probability: expected a number 0..1, got 1.5');
    expect(bad(plan([{ kind: 'http-500' }, { kind: 'http-503', wakes: [9, 3] }]))).toBe('faults.json: rules[1].wakes: expected [first, last] with 1 <= first <= last, got [9,3]');
    expect(bad(plan([{ kind: 'power-cut', at: 'lunch' }]))).toBe('faults.json: rules[0].at: expected one of any, net, sntp, http, handler, intent, write, got "lunch"');
    expect(bad(plan([{ kind: 'wifi-fail', at: 'net' }]))).toBe('faults.json: rules[0]: unknown field "at" for kind wifi-fail (expected kind, probability, wake, wakes, device, thing, delayMs)');
    expect(bad(plan([{ kind: 'garbage', variant: 'lie' }]))).toBe('faults.json: rules[0].variant: expected one of binary, bad-status, bad-header, bad-chunk, not-json, got "lie"');
    expect(bad(plan([{ kind: 'slow-response', delayMs: -1 }]))).toBe('faults.json: rules[0].delayMs: expected an integer 0..864000000, got -1');
    expect(bad(plan([{ kind: 'wifi-fail', device: 0 }]))).toBe('faults.json: rules[0].device: expected a device number >= 1 or an array of them, got 0');
    expect(bad({ seed: -3, rules: [] })).toBe('faults.json: seed: expected an integer 0..4294967295, got -3');
  });

  it('files and DORMOUSE_FAULTS: a file name or inline JSON; JSON that does not parse is named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dormouse-plan-'));
    writeFileSync(join(dir, 'p.json'), JSON.stringify(plan([{ kind: 'tls-fail' }])));
    writeFileSync(join(dir, 'broken.json'), '{"rules": [');
    expect(readFaultPlan(join(dir, 'p.json')).rules[0]?.kind).toBe('tls-fail');
    expect(faultPlanFromEnv({ DORMOUSE_FAULTS: 'p.json' }, dir)?.rules[0]?.kind).toBe('tls-fail');
    expect(faultPlanFromEnv({ DORMOUSE_FAULTS: '{"rules":[{"kind":"flash-full"}]}' }, dir)?.rules[0]?.kind).toBe('flash-full');
    expect(faultPlanFromEnv({}, dir)).toBeUndefined();
    expect(() => readFaultPlan(join(dir, 'broken.json'))).toThrow(/broken\.json: expected JSON, got text that does not parse/);
    expect(() => readFaultPlan(join(dir, 'missing.json'))).toThrow(/missing\.json: expected a fault plan file, got ENOENT/);
  });
});

describe('fault plan: schedule', () => {
  const p = parseFaultPlan(plan([
    { kind: 'http-503', wakes: [10, 12] },
    { kind: 'power-cut', probability: 0.3 },
    { kind: 'garbage', probability: 0.3, request: 'POST' },
    { kind: 'bit-flip', probability: 0.2, file: 'state' },
    { kind: 'never-ends', device: 2, wake: 5 },
  ]), 'p');

  it('the same seed, device and wake give the same faults; the faults of one wake do not depend on others', () => {
    const a = Array.from({ length: 40 }, (_, i) => planWake(p, 11, 1, i + 1));
    const b = Array.from({ length: 40 }, (_, i) => planWake(p, 11, 1, 40 - i)).reverse();
    expect(b).toEqual(a);
    const other = Array.from({ length: 40 }, (_, i) => planWake(p, 12, 1, i + 1));
    expect(other).not.toEqual(a);
  });

  it('wake and device restrictions hold; a window strikes every wake in it', () => {
    for (let w = 1; w <= 30; w++) {
      const kinds = planWake(p, 3, 1, w).map((f) => f.kind);
      expect(kinds.includes('http-503')).toBe(w >= 10 && w <= 12);
      expect(kinds).not.toContain('never-ends');
    }
    expect(planWake(p, 3, 2, 5).map((f) => f.kind)).toContain('never-ends');
  });

  it('probabilities hold over many wakes, parameters are drawn, between-wake faults are planned apart', () => {
    let cuts = 0;
    let flips = 0;
    for (let w = 1; w <= 2000; w++) {
      const f = planWake(p, 5, 1, w).find((x) => x.kind === 'power-cut');
      if (f !== undefined) {
        cuts++;
        expect(f.at).toBeDefined();
      }
      expect(planWake(p, 5, 1, w).map((x) => x.kind)).not.toContain('bit-flip');
      if (planBetween(p, 5, 1, w).some((x) => x.kind === 'bit-flip')) flips++;
      const g = planWake(p, 5, 1, w).find((x) => x.kind === 'garbage');
      if (g !== undefined) expect(g.request).toBe('POST');
    }
    expect(cuts / 2000).toBeGreaterThan(0.25);
    expect(cuts / 2000).toBeLessThan(0.35);
    expect(flips / 2000).toBeGreaterThan(0.16);
    expect(flips / 2000).toBeLessThan(0.24);
  });
});

describe('fault plan: directives and the catalogue', () => {
  it('a directive survives its header, and anything else is not a directive', () => {
    const d = { kind: 'slow-response', delayMs: 1500, seed: 7 } as const;
    expect(parseDirective(encodeDirective(d))).toEqual(d);
    expect(parseDirective(encodeDirective({ kind: 'garbage', variant: 'bad-chunk' }))).toEqual({ kind: 'garbage', variant: 'bad-chunk' });
    expect(parseDirective('none')).toBeNull();
    expect(parseDirective('wifi-fail')).toBeUndefined();
    expect(parseDirective('rm -rf /')).toBeUndefined();
    expect(parseDirective(undefined)).toBeUndefined();
    expect(parseDirective('http-503; delayMs=abc; variant=<script>')).toEqual({ kind: 'http-503' });
  });

  it('every kind that must show an error names codes of src/errors.ts', () => {
    for (const k of FAULT_KIND_NAMES) {
      const info = FAULT_KINDS[k];
      for (const c of info.codes) expect(isErrorCode(c), `${k}: ${c}`).toBe(true);
      if (info.outcome === 'error') expect(info.codes.length, k).toBeGreaterThan(0);
    }
  });

  it("the injector's firmware file names are the core's", () => {
    expect(FIRMWARE_FILES).toEqual({ state: STATE_FILE, intent: INTENT_FILE });
  });
});
