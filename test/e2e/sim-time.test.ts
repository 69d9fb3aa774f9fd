/**
 * Time: a simulated device whose clock is 2 hours off syncs against a real NTP server (chronyd,
 * unprivileged on a loopback port) or the local cloud's SNTP responder, and its first wake
 * already signs requests the cloud accepts (SigV4 allows 5 minutes of skew).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCloud } from '../../cloud/index.js';
import { prepareDeviceDir } from '../../cli/sim-setup.js';
import { loadAppBundle } from '../../hal/sim/app-bundle.js';
import { SimDevice } from '../../hal/sim/runner.js';
import type { WakeSummary } from '../../src/wake-summary.js';
import { chronydAvailable, startChrony } from '../support/chrony.js';
import type { Chrony } from '../support/chrony.js';
import { E2E_ENV, startE2eCloud, tempDir } from './support.js';

const TWO_HOURS = 2 * 3600 * 1000;
const root = tempDir();
let cloud: RunningCloud;

beforeAll(async () => {
  cloud = await startE2eCloud(join(root, 'cloud'));
});
afterAll(async () => {
  await cloud?.close();
});

/** A device for `thing` whose SNTP server is `ntp` (`host:port`), with its clock `offsetMs` off at power-on. */
async function deviceFor(thing: string, ntp: string | undefined, offsetMs: number): Promise<SimDevice> {
  const dir = join(root, thing);
  await prepareDeviceDir({ dir, thing, forceThing: true, cloudDir: cloud.dataDir, env: E2E_ENV });
  if (ntp !== undefined) {
    const cfgFile = join(dir, 'aws_iot_cfg.txt');
    const cfg = JSON.parse(readFileSync(cfgFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(cfgFile, JSON.stringify({ ...cfg, ntp }));
  }
  cloud.shadows.update({ thing }, { state: { desired: { sleep: 5, signal: 1 } } }, cloud.credentials.accessKeyId, Date.now());
  return new SimDevice({ dir, app: loadAppBundle(), speed: 100, clockOffsetMs: offsetMs });
}

async function checkTwoHoursOff(thing: string, ntp: string | undefined, offsetMs: number): Promise<void> {
  const device = await deviceFor(thing, ntp, offsetMs);
  try {
    const first = await device.wake();
    const s = first.summary as WakeSummary;
    expect(first.reason).toBe('power-on');
    expect(s.time.source).toBe('sntp');
    // The correction is the clock's error, to within the exchange's round trip.
    expect(Math.abs(s.time.offsetMs + offsetMs)).toBeLessThan(1000);
    expect(s.error).toBeUndefined();
    expect(s.report.sent).toBe(true);
    const stored = cloud.shadows.stored({ thing });
    expect(stored?.state.reported).toMatchObject({ signal: 1, status: s.status });
    const second = (await device.wake()).summary as WakeSummary;
    expect(second.time).toEqual({ source: 'rtc', offsetMs: 0 });
    expect(second.error).toBeUndefined();
  } finally {
    device.close();
  }
}

describe('time: a device 2 hours off', () => {
  let chrony: Chrony | undefined;
  afterAll(async () => {
    await chrony?.stop();
  });

  it.skipIf(!chronydAvailable())('time: syncs against chronyd (a real NTP server) and signs valid requests on its first wake', async () => {
    chrony = await startChrony();
    await checkTwoHoursOff('time-chrony', `${chrony.host}:${chrony.port}`, TWO_HOURS);
  });

  it("time: syncs against the local cloud's SNTP responder (the default) and signs valid requests on its first wake", async () => {
    await checkTwoHoursOff('time-cloud', undefined, -TWO_HOURS);
  });
});
