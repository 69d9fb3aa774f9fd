/**
 * A short chaos run in `npm test`: three devices × 250 wakes of the shipped firmware against the
 * local cloud under the random fault plan of seed 1 (every fault kind strikes), two episodes with
 * an outage each. No invariant may be violated. Plus: the same seed replays the same faults.
 */
import { describe, expect, it } from 'vitest';
import { figuresOf, runChaos } from '../../cli/chaos/index.js';
import { FAULT_KIND_NAMES, parseFaultPlan } from '../../hal/sim/faults/index.js';

describe('chaos: a short run', () => {
  it('3 devices × 250 wakes, seed 1: every fault kind strikes, no invariant is violated, reported converges in one quiet wake', async () => {
    const run = await runChaos({ seed: 1, wakes: 250, devices: 3, episodeWakes: 125 });
    const f = figuresOf(run, 1, 250);
    expect(run.violations).toEqual([]);
    expect(f.wakes).toBe(750);
    for (const k of FAULT_KIND_NAMES) expect(f.faults[k], k).toBeGreaterThan(0);
    expect(f.faultedWakes).toBeGreaterThan(150);
    expect(f.convergence).toMatchObject({ episodes: 6, notConverged: 0 });
    expect(f.convergence.p99).toBeLessThanOrEqual(f.convergence.bound);
    expect(f.ends['watchdog']).toBeUndefined();
    expect(f.ends['crash']).toBeUndefined();
    expect(f.handlerRuns).toBeGreaterThan(50);
    expect(f.outageSpread.length).toBeGreaterThan(0);
  }, 90_000);

  it('the same seed replays the same faults, changes and handler runs', async () => {
    // Kinds whose effect does not hinge on a timer racing the load of the machine.
    const plan = parseFaultPlan({ rules: [
      { kind: 'http-503', probability: 0.1 }, { kind: 'power-cut', probability: 0.1, at: 'handler' }, { kind: 'bit-flip', probability: 0.05, file: 'any' },
      { kind: 'wifi-fail', probability: 0.05, delayMs: 0 }, { kind: 'truncated', probability: 0.1 }, { kind: 'clock-jump', probability: 0.05 },
    ] }, 'replay plan');
    const fingerprint = async (): Promise<string[]> => {
      const run = await runChaos({ seed: 77, wakes: 40, devices: 2, plan, episodeWakes: 40 });
      return run.history.devices.flatMap((d) => d.wakes.map((w) => JSON.stringify([d.device, w.wake, [...w.before, ...w.fired].map((x) => [x.kind, x.where, x.detail]), w.executions.map((e) => [e.key, e.value, e.blinks]), w.summary?.error])));
    };
    const a = await fingerprint();
    const b = await fingerprint();
    expect(b).toEqual(a);
    expect(a.filter((x) => x.includes('"http-503"')).length).toBeGreaterThan(0);
  }, 60_000);
});
