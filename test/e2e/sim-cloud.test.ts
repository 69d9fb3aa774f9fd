/**
 * End to end on loopback: the local cloud and one simulated device running the shipped bundle
 * (dist/app.min.js, a fresh vm context per wake). Desired values are set with the `dormouse
 * shadow` CLI and with the AWS SDK; the reported state and status must follow after the next
 * wakes, across sleeps, a power cut of the device and a restart of the cloud.
 */
import { GetThingShadowCommand, UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCloud } from '../../cloud/index.js';
import { prepareDeviceDir } from '../../cli/sim-setup.js';
import { loadAppBundle } from '../../hal/sim/app-bundle.js';
import { SimDevice } from '../../hal/sim/runner.js';
import type { WakeRecord } from '../../hal/sim/runner.js';
import type { WakeSummary } from '../../src/wake-summary.js';
import { cli, E2E_ENV, sdkClient, startE2eCloud, tempDir } from './support.js';

const root = tempDir();
const cloudDir = join(root, 'cloud');
const deviceDir = join(root, 'devices', 'id-1');
let cloud: RunningCloud;
let device: SimDevice;
const logs: string[] = [];

const summaryOf = (r: WakeRecord): WakeSummary => {
  expect(r.end.kind, `the wake ended with ${JSON.stringify(r.end)} (${r.error ?? ''})`).toBe('sleep');
  return r.summary as WakeSummary;
};

async function reported(): Promise<Record<string, unknown>> {
  const sdk = sdkClient(cloud);
  try {
    const out = await sdk.client.send(new GetThingShadowCommand({ thingName: 'id-1' }));
    const doc = JSON.parse(Buffer.from(out.payload ?? new Uint8Array()).toString('utf8')) as { state: { reported: Record<string, unknown> } };
    return doc.state.reported;
  } finally {
    sdk.close();
  }
}

async function setDesiredWithSdk(desired: Record<string, unknown>): Promise<void> {
  const sdk = sdkClient(cloud);
  try {
    await sdk.client.send(new UpdateThingShadowCommand({ thingName: 'id-1', payload: new TextEncoder().encode(JSON.stringify({ state: { desired } })) }));
  } finally {
    sdk.close();
  }
}

async function setDesiredWithCli(...pairs: string[]): Promise<void> {
  const r = await cli(['shadow', 'update', 'id-1', ...pairs.flatMap((p) => ['--desired', p])], root, { ...E2E_ENV, DORMOUSE_CLOUD_DIR: cloudDir });
  expect(r.code, r.stderr).toBe(0);
}

beforeAll(async () => {
  cloud = await startE2eCloud(cloudDir);
  await prepareDeviceDir({ dir: deviceDir, thing: 'id-1', forceThing: true, cloudDir, env: E2E_ENV });
  device = new SimDevice({ dir: deviceDir, app: loadAppBundle(), speed: 100, log: (_l, line) => logs.push(line), logLevel: 'info' });
});

afterAll(async () => {
  device?.close();
  await cloud?.close();
});

describe('simulated device against the local cloud', () => {
  it('first wake: syncs time over SNTP, applies the desired state set with the CLI, reports it with its status', async () => {
    await setDesiredWithCli('sleep=5', 'signal=2', 'test=none', 'test_param=1000');
    const r = await device.wake();
    const s = summaryOf(r);
    expect(r.reason).toBe('power-on');
    expect(s.time.source).toBe('sntp');
    expect(s.error).toBeUndefined();
    expect(s.status).toMatch(/^done: /);
    expect(s.status).toContain('blinked 2 times');
    expect(r.stats.blinks).toBe(2);
    expect(s.report).toEqual({ sent: true, reason: 'changed' });
    expect(r.end).toEqual({ kind: 'sleep', seconds: 5 });
    const rep = await reported();
    expect(rep).toMatchObject({ sleep: 5, signal: 2, test: 'none', test_param: 1000, status: s.status });
  });

  it('a desired change made with the AWS SDK is obeyed on the next wake', async () => {
    await setDesiredWithSdk({ signal: 3 });
    const s = summaryOf(await device.wake());
    expect(s.outcomes.map((o) => [o.key, o.action])).toEqual([['signal', 'applied']]);
    expect(s.status).toContain('blinked 3 times');
    expect(s.time.source).toBe('rtc');
    expect(await reported()).toMatchObject({ signal: 3, status: s.status });
  });

  it('across several sleeps with nothing new the device reports nothing and keeps its state', async () => {
    const records: WakeRecord[] = [];
    await device.run({ wakes: 3, onWake: (r) => records.push(r) });
    for (const r of records) {
      const s = summaryOf(r);
      expect(s.error).toBeUndefined();
      expect(s.outcomes).toEqual([]);
      expect(s.report.sent).toBe(false);
      expect(r.reason).toBe('timer');
    }
    // Each wake's count continues from the last: RTC memory crossed the sleeps, nothing else did.
    const wakes = records.map((r) => summaryOf(r).wake);
    expect(wakes[1]).toBe((wakes[0] as number) + 1);
    expect(wakes[2]).toBe((wakes[0] as number) + 2);
  });

  it('a power cut: the next wake is a power-on that syncs time again and does not repeat what flash says was done', async () => {
    device.powerCut();
    const s = summaryOf(await device.wake());
    expect(s.reason).toBe('power-on');
    expect(s.wake).toBe(1);
    expect(s.time.source).toBe('sntp');
    expect(s.outcomes.filter((o) => o.action === 'applied')).toEqual([]);
    expect(s.error).toBeUndefined();
    expect(await reported()).toMatchObject({ signal: 3, sleep: 5 });
  });

  it('the cloud restarts: a wake while it is down fails and backs off; after the restart the device catches up', async () => {
    const port = cloud.port;
    const ntpPort = cloud.ntpPort;
    const versionBefore = cloud.shadows.stored({ thing: 'id-1' })?.version;
    await cloud.close();
    const down = summaryOf(await device.wake());
    expect(down.error).toBe('ECONN');
    expect(down.sleep.backoff).toBe(true);
    cloud = await startE2eCloud(cloudDir, { port, ntpPort });
    expect(cloud.shadows.stored({ thing: 'id-1' })?.version).toBe(versionBefore);
    await setDesiredWithCli('signal=4');
    const up = summaryOf(await device.wake());
    expect(up.error).toBeUndefined();
    expect(up.status).toContain('blinked 4 times');
    expect(up.sleep.backoff).toBe(false);
    expect(await reported()).toMatchObject({ signal: 4, status: up.status });
  });

  it('a new sleep length takes effect at the end of the wake that applies it', async () => {
    await setDesiredWithSdk({ sleep: 7 });
    const r = await device.wake();
    expect(summaryOf(r).status).toContain('sleep: 7 s');
    expect(r.end).toEqual({ kind: 'sleep', seconds: 7 });
    expect(r.sleepRealMs).toBe(70);
    expect(logs.join('\n')).not.toContain(cloud.credentials.secretAccessKey);
  });
});
