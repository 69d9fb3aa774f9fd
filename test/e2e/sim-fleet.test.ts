/**
 * Load: a fleet of 200 simulated devices at --speed 50 runs 2,000 wakes against the local cloud
 * with no failure, within a minute. The fleet runs as `dormouse sim --devices 200` in its own
 * process (as a user would run it), the cloud in this one, so each has a core.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCloud } from '../../cloud/index.js';
import { distBuilt, E2E_ENV, spawnCli, startE2eCloud, tempDir } from './support.js';

const DEVICES = 200;
const WAKES = 2000;
const root = tempDir();
let cloud: RunningCloud;

beforeAll(async () => {
  // AWS's own throttling (20 requests/s and 10 in flight per thing) stays on: each thing asks far less.
  cloud = await startE2eCloud(join(root, '.dormouse', 'cloud'));
  for (let i = 1; i <= DEVICES; i++) {
    cloud.shadows.update({ thing: `id-${i}` }, { state: { desired: { sleep: 30, signal: 1 } } }, cloud.credentials.accessKeyId, Date.now());
  }
});
afterAll(async () => {
  await cloud?.close();
});

interface Line {
  device: string;
  end: { kind: string };
  cycleMs: number;
  summary: { error?: string; status: string; report: { sent: boolean } } | null;
}

describe('fleet', () => {
  it.skipIf(!distBuilt())('fleet: 200 devices at --speed 50 complete 2,000 wakes against the local cloud with no failure in under a minute', async () => {
    const t0 = Date.now();
    const p = spawnCli(['sim', '--devices', String(DEVICES), '--speed', '50', '--wakes', String(WAKES), '--json'], root, { ...E2E_ENV });
    const code = await p.exited;
    const elapsed = Date.now() - t0;
    const lines = p.stdout().trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
    const failures = lines.filter((l) => l.end.kind !== 'sleep' || l.summary === null || l.summary.error !== undefined);
    expect(failures.slice(0, 3), p.stderr()).toEqual([]);
    expect(code, p.stderr()).toBe(0);
    expect(lines).toHaveLength(WAKES);
    expect(new Set(lines.map((l) => l.device)).size).toBe(DEVICES);
    // Every device applied its desired state and the cloud has its report.
    for (let i = 1; i <= DEVICES; i++) expect(cloud.shadows.stored({ thing: `id-${i}` })?.state.reported).toMatchObject({ signal: 1, sleep: 30 });
    const cycles = lines.map((l) => l.cycleMs).sort((a, b) => a - b);
    process.stdout.write(`fleet: ${WAKES} wakes of ${DEVICES} devices in ${(elapsed / 1000).toFixed(1)} s (${((WAKES * 1000) / elapsed).toFixed(0)} wakes/s), cycle p50 ${cycles[Math.floor(cycles.length / 2)]?.toFixed(0)} ms p99 ${cycles[Math.floor(cycles.length * 0.99)]?.toFixed(0)} ms\n`);
    expect(elapsed).toBeLessThan(60_000);
  }, 120_000);
});
