import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimUdp } from '../../hal/sim/udp.js';
import { sntpSync } from '../../src/sntp.js';
import { chronydAvailable, CHRONYD, startChrony } from '../support/chrony.js';
import type { Chrony } from '../support/chrony.js';

const available = chronydAvailable();
if (!available) console.warn(`sntp-chrony: skipped: chronyd is not installed at ${CHRONYD} (apt-get install chrony, or set CHRONYD)`);

describe.skipIf(!available)('sntp against a real chronyd', () => {
  let chrony: Chrony;
  beforeAll(async () => {
    chrony = await startChrony();
  });
  afterAll(async () => {
    await chrony?.stop();
  });

  it('sntp: syncing against chronyd serving this host\'s clock gives an offset near 0', async () => {
    const results = [];
    for (let i = 0; i < 5; i++) {
      results.push(await sntpSync(createSimUdp(), { now: () => Date.now() }, { host: chrony.host, port: chrony.port, timeoutMs: 1000 }));
    }
    console.info(`sntp-chrony: offsets ${results.map((r) => r.offsetMs).join(', ')} ms; round trips ${results.map((r) => r.roundTripMs).join(', ')} ms`);
    for (const r of results) {
      expect(Math.abs(r.offsetMs)).toBeLessThan(1000);
      expect(r.roundTripMs).toBeLessThan(500);
      expect(r.stratum).toBe(8); // 'local stratum 8' in the config
    }
  });

  it('sntp: a clock that is 10 minutes slow measures an offset of about +10 minutes', async () => {
    const slow = { now: () => Date.now() - 600_000 };
    const r = await sntpSync(createSimUdp(), slow, { host: chrony.host, port: chrony.port, timeoutMs: 1000 });
    expect(Math.abs(r.offsetMs - 600_000)).toBeLessThan(1000);
    expect(Math.abs(r.serverTimeMs - Date.now())).toBeLessThan(1000);
  });
});
