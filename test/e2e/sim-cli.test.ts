/**
 * `dormouse sim` as a user runs it: provisioning from the local cloud by default, the same config
 * files a board uses with --config (for the local cloud or AWS alike), a small fleet with JSON
 * lines, and clear errors.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionThing } from '../../cloud/index.js';
import type { RunningCloud } from '../../cloud/index.js';
import { parseDuration } from '../../cli/sim-setup.js';
import { cli, E2E_ENV, startE2eCloud, tempDir } from './support.js';

const root = tempDir();
const cloudDir = join(root, '.dormouse', 'cloud');
let cloud: RunningCloud;

beforeAll(async () => {
  cloud = await startE2eCloud(cloudDir);
});
afterAll(async () => {
  await cloud?.close();
});

interface JsonWake {
  device: string;
  reason: string;
  end: { kind: string; seconds?: number };
  summary: { error?: string; status: string; wake: number; time: { source: string } };
}

const wakes = (stdout: string): JsonWake[] => stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as JsonWake);

describe('dormouse sim', () => {
  it('sim: with no config it provisions the device from the running local cloud and runs the requested wakes', async () => {
    cloud.shadows.update({ thing: 'id-1' }, { state: { desired: { sleep: 5, signal: 1 } } }, cloud.credentials.accessKeyId, Date.now());
    const r = await cli(['sim', '--wakes', '2', '--speed', '100', '--json'], root);
    expect(r.code, r.stderr).toBe(0);
    const w = wakes(r.stdout);
    expect(w.map((x) => [x.device, x.reason, x.summary.error])).toEqual([['id-1', 'power-on', undefined], ['id-1', 'timer', undefined]]);
    expect(w[0]?.summary.status).toContain('blinked 1 time');
    expect(existsSync(join(root, '.dormouse', 'devices', 'id-1', 'aws_iot_cfg.txt'))).toBe(true);
    expect(cloud.shadows.stored({ thing: 'id-1' })?.state.reported).toMatchObject({ signal: 1 });
  });

  it('sim: the timeline shows one line per wake', async () => {
    const r = await cli(['sim', '--wakes', '1', '--speed', '100'], root);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wake \d+ timer │ time rtc │ v\d+ │ nothing to do │ report skipped │ sleep 5 s \(50 ms real\) │ awake \d+ ms │ \d+ B out [\d.]+ k?B in/);
  });

  it('sim: --config uses the seed files of a board (config, credentials, CA), copied into the device directory', async () => {
    const seed = join(root, 'seed');
    await provisionThing({ dataDir: cloudDir, thing: 'from-config', outDir: seed, env: E2E_ENV });
    const dir = join(root, 'elsewhere');
    const r = await cli(['sim', '--config', join(seed, 'aws_iot_cfg.txt'), '--dir', dir, '--wakes', '1', '--json'], root);
    expect(r.code, r.stderr).toBe(0);
    expect(wakes(r.stdout)[0]).toMatchObject({ device: 'from-config', summary: { time: { source: 'sntp' } } });
    expect(wakes(r.stdout)[0]?.summary.error).toBeUndefined();
    for (const f of ['aws_iot_cfg.txt', 'aws_credentials.txt', 'ca.pem']) expect(readFileSync(join(dir, f), 'utf8')).toBe(readFileSync(join(seed, f), 'utf8'));
    expect(cloud.shadows.stored({ thing: 'from-config' })?.state.reported).toBeDefined();
  });

  it('sim: --power-cut makes the first wake a power-on that syncs time again', async () => {
    const r = await cli(['sim', '--wakes', '1', '--power-cut', '--json'], root);
    expect(r.code, r.stderr).toBe(0);
    expect(wakes(r.stdout)[0]).toMatchObject({ reason: 'power-on', summary: { wake: 1, time: { source: 'sntp' } } });
  });

  it('sim: a small fleet in one thread, each device its own thing and directory', async () => {
    const r = await cli(['sim', '--devices', '3', '--thing', 'small', '--wakes', '6', '--speed', '500', '--json', '--threads', '1'], root);
    expect(r.code, r.stderr).toBe(0);
    const w = wakes(r.stdout);
    expect(w).toHaveLength(6);
    expect(new Set(w.map((x) => x.device))).toEqual(new Set(['small-1', 'small-2', 'small-3']));
    expect(w.every((x) => x.end.kind === 'sleep' && x.summary.error === undefined)).toBe(true);
    for (const t of ['small-1', 'small-2', 'small-3']) expect(existsSync(join(root, '.dormouse', 'devices', t, 'aws_iot_cfg.txt'))).toBe(true);
  });

  it('sim: with no config and no running cloud it says what is missing and exits 1', async () => {
    const empty = tempDir();
    const r = await cli(['sim', '--wakes', '1'], empty, {});
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ECONFIG: .*no device config, and no running local cloud .*cloud\.json.*npm start/);
  });

  it('sim: a config that is not valid is refused before any wake, naming the file and field', async () => {
    const dir = join(root, 'bad');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'aws_iot_cfg.txt'), '{"region": 42}');
    const r = await cli(['sim', '--config', join(dir, 'aws_iot_cfg.txt'), '--dir', join(root, 'bad-dev'), '--wakes', '1'], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('aws_iot_cfg.txt: field "region": expected a string like "us-east-1", got 42');
  });

  it('sim: bad flags are usage errors (exit 2)', async () => {
    expect((await cli(['sim', '--speed', '0'], root)).code).toBe(2);
    expect((await cli(['sim', '--clock-offset', 'two hours'], root)).code).toBe(2);
    expect((await cli(['sim', '--log', 'loud'], root)).code).toBe(2);
    expect((await cli(['sim', '--devices', '1.5'], root)).code).toBe(2);
  });

  it('durations: 2h, -90s, 1500ms, 5m, 0', () => {
    expect(parseDuration('2h', 'x')).toBe(7_200_000);
    expect(parseDuration('-90s', 'x')).toBe(-90_000);
    expect(parseDuration('1500ms', 'x')).toBe(1500);
    expect(parseDuration('5m', 'x')).toBe(300_000);
    expect(parseDuration('0', 'x')).toBe(0);
    expect(() => parseDuration('2 hours', 'x')).toThrow(/expected a duration/);
  });
});
