/**
 * `dormouse chaos` as a command: the JSON figures, a violation's exit code and replay line (a
 * firmware that never sleeps), and plan errors as usage errors.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'dormouse-chaos-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function chaos(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (to: string[]): Writable => new Writable({ write(c: Buffer | string, _e, cb) { to.push(c.toString()); cb(); } });
  const code = await run(['chaos', ...args], { stdout: sink(out), stderr: sink(err), cwd: dir, env: {} });
  return { code, out: out.join(''), err: err.join('') };
}

describe('dormouse chaos', () => {
  it('--json prints one object with faults by kind, violations by kind and convergence; exit 0 when nothing is violated', async () => {
    writeFileSync(join(dir, 'plan.json'), JSON.stringify({ rules: [{ kind: 'http-503', wake: 3, request: 'GET' }, { kind: 'power-cut', wake: 5, at: 'any', nth: 10 }] }));
    const r = await chaos(['--seed', '4', '--wakes', '12', '--devices', '2', '--faults', 'plan.json', '--json']);
    expect(r.err).toBe('');
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0] as string) as Record<string, unknown> & { faults: Record<string, number>; violations: Record<string, number>; convergence: Record<string, number> };
    expect(r.code).toBe(0);
    expect(j).toMatchObject({ seed: 4, devices: 2, wakesPerDevice: 12, wakes: 24, violationCount: 0, replay: 'dormouse chaos --seed 4 --wakes 12 --devices 2 --faults plan.json' });
    expect(j.faults['http-503']).toBe(2);
    expect(j.faults['power-cut']).toBe(2);
    expect(Object.keys(j.violations)).toEqual(['sleep', 'exactly-once', 'convergence', 'persistence', 'reports', 'backoff', 'status']);
    expect(j.convergence).toMatchObject({ episodes: 2, notConverged: 0, p50: 1 });
  }, 60_000);

  it('a violation exits 1 and prints the invariant, the device, the wake and the command that replays it', async () => {
    const app = join(dir, 'insomniac.js');
    writeFileSync(app, "var dormouse = { sourceHash: 'x', boot: function () { return Promise.resolve({ status: 'done: awake forever' }); } };");
    const r = await chaos(['--seed', '9', '--wakes', '6', '--devices', '1', '--app', app, '--faults', 'plan.json']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('violation: sleep: device 1 wake 1: the firmware stopped without deep sleep: boot returned without deep sleep — replay: dormouse chaos --seed 9 --wakes 6 --devices 1 --faults plan.json');
    expect(r.err).toBe('');
    expect(r.out).toMatch(/invariant violations: \d+\n {2}sleep {9}6\n/);
  }, 60_000);

  it('a fault plan that does not parse is a usage error naming the field', async () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ rules: [{ kind: 'http-503', probability: 2 }] }));
    const r = await chaos(['--faults', 'bad.json']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--faults: ');
    expect(r.err).toContain('bad.json: rules[0].probability: expected a number 0..1, got 2');
  });
});
