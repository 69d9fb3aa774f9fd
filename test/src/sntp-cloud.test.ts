import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimUdp } from '../../hal/sim/udp.js';
import { startCloud } from '../../cloud/index.js';
import type { RunningCloud } from '../../cloud/index.js';
import { sntpSync } from '../../src/sntp.js';

let dir: string;
let cloud: RunningCloud;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dormouse-sntp-cloud-'));
  cloud = await startCloud({ dataDir: dir, port: 0, ntpPort: 0, env: {}, log: () => undefined });
});
afterAll(async () => {
  await cloud?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sntp against the local cloud\'s SNTP responder', () => {
  it('sntp: the local cloud serves time within a few ms of this host, and a 1 h fast clock sees -1 h', async () => {
    expect(cloud.ntpPort).toBeTypeOf('number');
    const ok = await sntpSync(createSimUdp(), { now: () => Date.now() }, { host: cloud.host, port: cloud.ntpPort as number, timeoutMs: 1000 });
    expect(Math.abs(ok.offsetMs)).toBeLessThan(50);
    const fast = await sntpSync(createSimUdp(), { now: () => Date.now() + 3_600_000 }, { host: cloud.host, port: cloud.ntpPort as number, timeoutMs: 1000 });
    expect(Math.abs(fast.offsetMs + 3_600_000)).toBeLessThan(50);
  });
});
