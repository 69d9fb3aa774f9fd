/**
 * The benchmark modules produce well-formed figures, and `dormouse bench` shows budgets and
 * targets as it should: cheap checks on synthetic inputs, no timing assertions.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUDGETS, TARGETS } from '../../bench/budgets.js';
import { cloudFigures } from '../../bench/cloud.js';
import { parseWake, run as runEspruino, wakeFigures as espruinoFigures } from '../../bench/espruino.js';
import type { EspruinoWake } from '../../bench/espruino.js';
import type { BenchContext, BenchFigure } from '../../bench/figure.js';
import { formatQuantity, overBudget, targetText } from '../../bench/figure.js';
import { fleetFigures } from '../../bench/fleet.js';
import { BENCHES } from '../../bench/index.js';
import { run as runMemory } from '../../bench/memory.js';
import { run as runSize } from '../../bench/size.js';
import { wakeFigures } from '../../bench/wake.js';
import type { WakeRecord } from '../../hal/sim/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'dormouse-bench-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function context(o: Partial<BenchContext> = {}): BenchContext {
  return { root: tmp, env: {}, large: false, progress: () => undefined, ...o };
}

/** Every figure has a name, a unit string, a finite value (or NaN with a `skipped:` note), and budgets/targets in range. */
function expectWellFormed(figures: readonly BenchFigure[]): void {
  expect(figures.length).toBeGreaterThan(0);
  for (const f of figures) {
    expect(typeof f.name).toBe('string');
    expect(f.name).not.toBe('');
    expect(typeof f.unit).toBe('string');
    if (Number.isNaN(f.value)) expect(f.note, f.name).toMatch(/^skipped: /);
    else expect(Number.isFinite(f.value), f.name).toBe(true);
    if (f.budget !== undefined) expect(f.budget, f.name).toBeGreaterThanOrEqual(0);
    if (f.target !== undefined) expect(f.target, f.name).toBeGreaterThan(0);
  }
  expect(new Set(figures.map((f) => f.name)).size).toBe(figures.length);
}

describe('bench figures', () => {
  it('figure: a target is shown as met or missed by the difference; a budget overrun is flagged', () => {
    expect(targetText({ name: 'x', value: 87_511, unit: 'B', target: 24_000 })).toBe('target 24,000 B: over by 63,511 B');
    expect(targetText({ name: 'x', value: 20_000, unit: 'B', target: 24_000 })).toBe('target 24,000 B: met');
    expect(targetText({ name: 'x', value: NaN, unit: 'B', target: 24_000 })).toBeUndefined();
    expect(overBudget({ name: 'x', value: 11, unit: 'B', budget: 10 })).toBe(true);
    expect(overBudget({ name: 'x', value: 10, unit: 'B', budget: 10 })).toBe(false);
    expect(overBudget({ name: 'x', value: 99, unit: 'B', target: 10 })).toBe(false);
    expect(formatQuantity(1234.4, 'ms')).toBe('1,234 ms');
    expect(formatQuantity(0.914, 'ms')).toBe('0.91 ms');
    expect(formatQuantity(NaN, 'ms')).toBe('-');
  });

  it('registry: every benchmark the brief names is registered once, with a summary', () => {
    const names = BENCHES.map((b) => b.name);
    expect(names).toEqual(expect.arrayContaining(['size', 'memory', 'sign', 'wake', 'fleet', 'cloud', 'espruino']));
    expect(new Set(names).size).toBe(names.length);
    for (const b of BENCHES) expect(b.summary.length).toBeGreaterThan(10);
  });

  it('size: each bundle in dist/ gets its byte and gzip figures with budgets; the ESP32 bundle carries issue 7\'s target', async () => {
    mkdirSync(join(tmp, 'dist'), { recursive: true });
    writeFileSync(join(tmp, 'dist/app.min.js'), 'x'.repeat(5000));
    writeFileSync(join(tmp, 'dist/esp32.min.js'), 'y'.repeat(30_000));
    const figures = await runSize(context());
    expectWellFormed(figures);
    const esp32 = figures.find((f) => f.name === 'dist/esp32.min.js minified');
    expect(esp32?.value).toBe(30_000);
    expect(esp32?.target).toBe(TARGETS.esp32BundleBytes);
    expect(esp32?.budget).toBe(BUDGETS.esp32BundleBytes);
    expect(figures.filter((f) => f.budget === undefined)).toEqual([]);
  });

  it('memory and espruino: without ESPRUINO_BIN every row says skipped', async () => {
    for (const figures of [await runMemory(context()), await runEspruino(context({ env: { ESPRUINO_BIN: join(tmp, 'no-such-binary') } }))]) {
      expectWellFormed(figures);
      for (const f of figures) {
        expect(Number.isNaN(f.value)).toBe(true);
        expect(f.note).toBe('skipped: set ESPRUINO_BIN to an Espruino Linux binary');
      }
    }
  });

  it('wake: first and idle wakes give awake, byte and context figures; a failed wake counts against a zero budget', () => {
    const record = (awakeMs: number, bytesOut: number, error?: string): WakeRecord => ({
      index: 1,
      reason: 'timer',
      startedAt: 0,
      cycleMs: awakeMs + 3,
      contextMs: 0.9,
      end: { kind: 'sleep', seconds: 30 },
      summary: { awakeMs, bytesOut, bytesIn: bytesOut * 3, status: 'done: nothing to do', ...(error !== undefined ? { error } : {}) },
      stats: { blinks: 0, connections: 1, requests: 1, flashBytes: 0 },
      sleepRealMs: 1,
    });
    const idle = [record(12, 330), record(14, 330), record(13, 330), record(90, 200, 'ECONN')];
    const figures = wakeFigures({ first: [record(640, 950), record(650, 950)], idle, bundleLoadMs: 4 });
    expectWellFormed(figures);
    const byName = (n: string): BenchFigure | undefined => figures.find((f) => f.name === n);
    // The failed wake is left out of the awake and byte figures.
    expect(byName('idle wake awake p50')?.value).toBe(13);
    expect(byName('idle wake awake p99')?.value).toBe(14);
    expect(byName('idle wake bytes out')?.value).toBe(330);
    expect(byName('first wake awake p99')?.value).toBe(650);
    const failed = byName('failed wakes') as BenchFigure;
    expect(failed.value).toBe(1);
    expect(overBudget(failed)).toBe(true);
    expect(failed.note).toContain('ECONN');
  });

  it('fleet and cloud: a run gives wall time, rates, percentiles and failures against a zero budget', () => {
    const fleet = fleetFigures({ run: { devices: 200, wakes: 2000, speed: 50, threads: 2 }, wallMs: 12_500, wakes: 2000, failures: { ECONN: 3, EAUTH: 1 }, p50Ms: 150, p99Ms: 480, setupMs: 900 });
    expectWellFormed(fleet);
    expect(fleet.find((f) => f.name.endsWith('wakes/s'))?.value).toBe(160);
    const failed = fleet.find((f) => f.name.endsWith('failed wakes')) as BenchFigure;
    expect(failed.value).toBe(4);
    expect(failed.note).toBe('EAUTH 1, ECONN 3');
    const cloud = cloudFigures({ options: { clients: 50, requests: 4000, durability: 'os' }, wallMs: 8000, requests: 4000, failures: 0, latencies: [5, 10, 20], connections: 50 });
    expectWellFormed(cloud);
    expect(cloud.find((f) => f.name === 'durability os: signed requests/s')?.value).toBe(500);
    expect(cloud.find((f) => f.name === 'durability os: latency p50')?.value).toBe(10);
  });

  it('espruino: a wake is read from the interpreter output; the figures compare JsVars with the ESP32 ceiling', () => {
    const lines = (awake: number, usage: number, peak?: number): string[] => [
      '@@boot cause 4',
      `0.17 info wake 2 (timer) time=rtc v2 report=skipped(nothing-to-report) sleep=30s awake=${awake}ms out=315B in=1072B | done: nothing to do`,
      ...(peak !== undefined ? [`@@peak ${peak}`] : []),
      `>\u001b[J@@memory {"free":25321,"usage":${usage},"total":32768,"blocksize":27}`,
      '@@deepSleep 30000000',
    ];
    const w = parseWake(4, lines(156, 7447, 11117));
    expect(w).toMatchObject({ awakeMs: 156, bytesOut: 315, bytesIn: 1072, sleepJsVars: 7447, peakJsVars: 11117, status: 'done: nothing to do' });
    expect(() => parseWake(0, ['Uncaught Error: boom'])).toThrow(/boom/);
    expect(() => parseWake(0, ['@@deepSleep 1'])).toThrow(/wake summary/);
    const timed: EspruinoWake[] = [parseWake(0, lines(850, 7490)), parseWake(4, lines(156, 7447)), parseWake(4, lines(170, 7440))];
    const sampled: EspruinoWake[] = [parseWake(0, lines(860, 7490, 12000)), w];
    const figures = espruinoFigures(timed, sampled);
    expectWellFormed(figures);
    expect(figures.find((f) => f.name === 'idle wake awake (Linux)')?.value).toBe(170);
    expect(figures.find((f) => f.name === 'JsVars in use at deep sleep')?.value).toBe(7490);
    expect(figures.find((f) => f.name === 'peak JsVars, as ESP32 bytes')?.value).toBe(12000 * 14);
  });
});
