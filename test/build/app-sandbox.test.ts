/**
 * The shipped app bundle (dist/app.min.js) runs a whole wake in the Espruino-shaped sandbox over
 * the in-memory HAL: what the simulator and the board run, on Espruino's builtins only.
 */
import { describe, expect, it } from 'vitest';
import type { Hal } from '../../hal/hal.js';
import type { WakeSummary } from '../../src/wake-summary.js';
import { createEspruinoSandbox } from '../support/espruino-sandbox.js';
import { MemoryHal, testConfigFiles } from '../support/memory-hal.js';
import { shippedBundle } from './dist-bundles.js';

interface AppGlobal {
  boot(hal: Hal): Promise<WakeSummary>;
  sourceHash: string;
}

async function loadApp(): Promise<AppGlobal> {
  const code = await shippedBundle('app');
  if (code === undefined) throw new Error('firmware/app.ts does not exist: nothing to load');
  const sandbox = createEspruinoSandbox();
  sandbox.run(code, 'app.min.js');
  return sandbox.global.dormouse as AppGlobal;
}

describe('app bundle in the Espruino sandbox', () => {
  it('one wake: SNTP, signed GET, dispatch, signed POST, deep sleep', async () => {
    const app = await loadApp();
    const hal = new MemoryHal({ files: testConfigFiles() });
    hal.cloud.setDesired('id-1', { signal: 2, sleep: 45 }, hal.clock.trueNow);
    const summary = await app.boot(hal);
    expect(summary.status).toBe('done: signal: blinked 2 times; sleep: 45 s');
    expect(hal.sleeps).toEqual([45]);
    expect(hal.cloud.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
    expect(hal.cloud.requests[0]?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20250115\/us-east-1\/iotdata\/aws4_request, /);
    expect(hal.cloud.reported('id-1')).toMatchObject({ signal: 2, sleep: 45, status: summary.status });
  }, 60_000);

  it('a second wake with nothing to do reports nothing and sleeps again', async () => {
    const app = await loadApp();
    const hal = new MemoryHal({ files: testConfigFiles() });
    hal.cloud.setDesired('id-1', { sleep: 30 }, hal.clock.trueNow);
    await app.boot(hal);
    const posts = hal.cloud.posts().length;
    const again = await (await loadApp()).boot(hal);
    expect(again.status).toBe('done: nothing to do');
    expect(hal.cloud.posts().length).toBe(posts);
    expect(hal.sleeps).toEqual([30, 30]);
  }, 60_000);
});
