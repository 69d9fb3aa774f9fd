/**
 * The simulator's fault seam, as the injector uses it: an interceptor may run a HAL call with
 * other arguments or cut the power at it; the runner asks for an interceptor per wake; the clock
 * can jump while the device sleeps; the HTTP client calls garbage garbage (EHTTP) as soon as it
 * sees it; a client key that does not load is a TLS failure, not a crash.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { HalCall } from '../../hal/sim/guard.js';
import { createSimHal } from '../../hal/sim/sim-hal.js';
import { SimDevice } from '../../hal/sim/runner.js';
import { createSimHttp } from '../../hal/sim/http.js';
import { MACHINE_FILES } from '../../hal/sim/device-dir.js';
import { fakeApp } from '../hal/sim/fake-app.js';
import { tempDeviceDir } from '../hal/sim/support.js';

describe('fault seam', () => {
  it('an interceptor can run a call with other arguments', () => {
    const hal = createSimHal({ dir: tempDeviceDir(), intercept: (call: HalCall, proceed) => (call.part === 'storage' && call.method === 'write' ? proceed([call.args[0], 'replaced']) : proceed()) });
    hal.storage.write('note', 'original');
    expect(hal.storage.read('note')).toBe('replaced');
  });

  it('an interceptor can cut the power at a call: the wake ends as a power cut, the call and every later one fail EPOWER', async () => {
    const hal = createSimHal({
      dir: tempDeviceDir(),
      intercept: (call, proceed, wake) => {
        if (call.part === 'storage' && call.method === 'write' && call.args[0] === 'second') throw wake.powerCut();
        return proceed();
      },
    });
    hal.storage.write('first', '1');
    expect(() => hal.storage.write('second', '2')).toThrow(expect.objectContaining({ code: 'EPOWER' }));
    expect(await hal.ended).toEqual({ kind: 'power-cut' });
    expect(() => hal.storage.read('first')).toThrow(expect.objectContaining({ code: 'EPOWER' }));
  });

  it('the runner asks for an interceptor per wake, with the wake index', async () => {
    const seen: number[] = [];
    const d = new SimDevice({
      dir: tempDeviceDir(),
      app: fakeApp(),
      speed: 1000,
      interceptWake: (n) => (call, proceed) => {
        if (call.part === 'power' && call.method === 'deepSleep') seen.push(n);
        return proceed();
      },
    });
    await d.run({ wakes: 3 });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('shiftClock moves the sleeping device clock and keeps it trusted; without a clock it does nothing', async () => {
    const d = new SimDevice({ dir: tempDeviceDir(), app: fakeApp(), speed: 1000, machineWrites: 'through' });
    expect(d.shiftClock(60_000)).toBe(false);
    await d.wake();
    const hal1 = createSimHal({ dir: d.dir });
    hal1.clock.set(1_800_000_000_000);
    await hal1.power.deepSleep(5);
    const before = d.machine.read(MACHINE_FILES.clock);
    expect(d.shiftClock(-600_000)).toBe(true);
    const after = d.machine.read(MACHINE_FILES.clock);
    expect((after?.['deviceAt'] as number) - (before?.['deviceAt'] as number)).toBe(-600_000);
    expect(after?.['trustedSince']).toBe(before?.['trustedSince']);
  });

  it('sim http: bytes that are not a status line are EHTTP at once, not a timeout or a close', async () => {
    const server = createServer((s) => {
      s.on('data', () => s.write(Buffer.from([0x16, 0x03, 0x01, 0x99, 0x42, 0x00, 0x13])));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    try {
      const t0 = Date.now();
      const e = await createSimHttp().request({ method: 'GET', scheme: 'http', host: '127.0.0.1', port, path: '/', headers: {}, timeoutMs: 5000 }).then(
        () => undefined,
        (x: unknown) => x as { code: string; message: string },
      );
      expect(e?.code).toBe('EHTTP');
      expect(e?.message).toContain('expected a status line starting "HTTP/"');
      expect(Date.now() - t0).toBeLessThan(1000);
    } finally {
      server.close();
    }
  });

  it('sim http: a client key that does not load is ETLS, not a crash', async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    try {
      const e = await createSimHttp()
        .request({ method: 'GET', scheme: 'https', host: '127.0.0.1', port, path: '/', headers: {}, timeoutMs: 2000, tls: { key: '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n' } })
        .then(() => undefined, (x: unknown) => x as { code: string; message: string });
      expect(e?.code).toBe('ETLS');
      expect(e?.message).toContain('the CA or client certificate could not be loaded');
    } finally {
      server.close();
    }
  });
});
