/**
 * `dormouse sim --faults FILE`: one simulated device under a fault plan, the faults shown above
 * the wake they struck; fleets are refused (that is `dormouse chaos`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../cli/main.js';
import { startCloud } from '../../cloud/index.js';
import type { RunningCloud } from '../../cloud/index.js';
import { EXAMPLE_ENV, tempDir } from './support.js';

const root = tempDir();
let cloud: RunningCloud;
beforeAll(async () => {
  cloud = await startCloud({ dataDir: join(root, 'cloud'), port: 0, ntpPort: 0, env: EXAMPLE_ENV, faults: { directives: true } });
});
afterAll(async () => {
  await cloud?.close();
});

async function sim(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (to: string[]): Writable => new Writable({ write(c: Buffer | string, _e, cb) { to.push(c.toString()); cb(); } });
  const code = await run(['sim', '--cloud-dir', join(root, 'cloud'), ...args], { stdout: sink(out), stderr: sink(err), cwd: root, env: EXAMPLE_ENV });
  return { code, out: out.join(''), err: err.join('') };
}

describe('dormouse sim --faults', () => {
  it('injects the plan into one device: the faults are listed above the wake they struck', async () => {
    mkdirSync(join(root, 'plans'), { recursive: true });
    writeFileSync(join(root, 'plans', 'p.json'), JSON.stringify({ rules: [{ kind: 'wifi-fail', wake: 2, delayMs: 0 }, { kind: 'http-503', wake: 3, request: 'GET' }] }));
    const r = await sim(['--dir', join(root, 'dev'), '--wakes', '4', '--speed', '1000', '--faults', 'plans/p.json']);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.split('\n');
    const at = (re: RegExp): number => lines.findIndex((l) => re.test(l));
    expect(at(/^ {2}faults: wifi-fail \(net\.up, 0 ms\)$/)).toBeGreaterThan(0);
    expect(lines[at(/^ {2}faults: wifi-fail/) + 1]).toMatch(/wake 2 timer │ .*ENET: Wi-Fi join failed/);
    expect(lines[at(/^ {2}faults: http-503/) + 1]).toMatch(/wake 3 timer │ .*ECLOUD: GET .*HTTP 503 ServiceUnavailableException/);
  });

  it('a fleet under faults is refused, pointing at dormouse chaos', async () => {
    const r = await sim(['--devices', '2', '--faults', 'plans/p.json']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--faults: one device only; for a fleet under faults use dormouse chaos');
  });
});
