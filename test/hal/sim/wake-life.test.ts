import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { createSimHal } from '../../../hal/sim/index.js';
import type { HalCall } from '../../../hal/sim/index.js';
import { tempDeviceDir } from './support.js';

describe('sim wake life: deep sleep, power cut, watchdog, the fault seam', () => {
  it('deep sleep ends the wake: it resolves, and any HAL call afterwards fails with EPOWER', async () => {
    const hal = createSimHal({ dir: tempDeviceDir() });
    await expect(hal.power.deepSleep(30)).resolves.toBeUndefined();
    await expect(hal.ended).resolves.toEqual({ kind: 'sleep', seconds: 30 });
    expect(hal.awake).toBe(false);
    expect(() => hal.storage.read('x')).toThrow(expect.objectContaining({ code: 'EPOWER' }));
    expect(() => hal.clock.now()).toThrow(expect.objectContaining({ code: 'EPOWER' }));
    // Calls that never throw by contract stay quiet.
    expect(() => hal.http.close()).not.toThrow();
    await expect(hal.net.down()).resolves.toBeUndefined();
  });

  it('deep sleep lengths are kept in the chip\'s range: nonsense sleeps the 60 s fallback', async () => {
    const a = createSimHal({ dir: tempDeviceDir() });
    await a.power.deepSleep(Number.NaN);
    expect(await a.ended).toEqual({ kind: 'sleep', seconds: 60 });
    const b = createSimHal({ dir: tempDeviceDir() });
    await b.power.deepSleep(1e9);
    expect(await b.ended).toEqual({ kind: 'sleep', seconds: 2147 });
  });

  it('timers of a wake die with it: a timer due after deep sleep never fires', async () => {
    const hal = createSimHal({ dir: tempDeviceDir() });
    let fired = 0;
    hal.clock.setTimer(20, () => fired++);
    const cancel = hal.clock.setTimer(10, () => fired++);
    cancel();
    await hal.power.deepSleep(5);
    await new Promise((r) => setTimeout(r, 60));
    expect(fired).toBe(0);
  });

  it('timers fire while awake', async () => {
    const hal = createSimHal({ dir: tempDeviceDir() });
    const at = await new Promise<number>((resolve) => {
      const t0 = Date.now();
      hal.clock.setTimer(30, () => resolve(Date.now() - t0));
    });
    expect(at).toBeGreaterThanOrEqual(25);
  });

  it('a power cut abandons a pending call: a UDP exchange waiting for a reply rejects with EPOWER at once', async () => {
    const silent = createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    const port = silent.address().port;
    try {
      const hal = createSimHal({ dir: tempDeviceDir() });
      const pending = hal.udp.exchange('127.0.0.1', port, new Uint8Array(48), 10_000);
      const t0 = Date.now();
      setTimeout(() => hal.powerCut(), 20);
      await expect(pending).rejects.toMatchObject({ code: 'EPOWER' });
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(await hal.ended).toEqual({ kind: 'power-cut' });
    } finally {
      silent.close();
    }
  });

  it('watchdog: not kicked in time, the wake ends as a reset; the next wake says watchdog and has lost RTC memory', async () => {
    const dir = tempDeviceDir();
    const hal = createSimHal({ dir });
    hal.rtc.write('lost');
    hal.watchdog.start(0.05);
    const end = await hal.ended;
    expect(end.kind).toBe('watchdog');
    const next = createSimHal({ dir });
    expect(next.reason).toBe('watchdog');
    expect(next.rtc.read()).toBeUndefined();
  });

  it('watchdog: kicking it keeps the wake alive', async () => {
    const hal = createSimHal({ dir: tempDeviceDir() });
    hal.watchdog.start(0.08);
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 40));
      hal.watchdog.kick();
    }
    expect(hal.awake).toBe(true);
    await hal.power.deepSleep(5);
    expect((await hal.ended).kind).toBe('sleep');
  });

  it('fault seam: an interceptor sees every HAL call by part and method, and may fail one', async () => {
    const seen: string[] = [];
    const intercept = (call: HalCall, proceed: () => unknown): unknown => {
      seen.push(`${call.part}.${call.method}`);
      if (call.part === 'storage' && call.method === 'write' && call.args[0] === 'doomed') {
        throw Object.assign(new Error('flash full (injected)'), { code: 'EFULL' });
      }
      return proceed();
    };
    const hal = createSimHal({ dir: tempDeviceDir(), intercept });
    hal.storage.write('fine', '1');
    expect(() => hal.storage.write('doomed', '1')).toThrow(expect.objectContaining({ code: 'EFULL' }));
    hal.clock.now();
    await hal.net.up(100);
    await hal.power.deepSleep(5);
    expect(seen).toEqual(['storage.write', 'storage.write', 'clock.now', 'net.up', 'power.deepSleep']);
  });

  it('indicator: counts blinks and rings the bell on each when asked', () => {
    const written: string[] = [];
    const hal = createSimHal({ dir: tempDeviceDir(), bell: true, write: (t) => written.push(t) });
    for (let i = 0; i < 3; i++) {
      hal.indicator.set(true);
      hal.indicator.set(true);
      hal.indicator.set(false);
    }
    expect(hal.stats().blinks).toBe(3);
    expect(written.join('')).toBe('\x07\x07\x07');
  });

  it('log: lines below the level are dropped, others carry uptime and level', () => {
    const lines: string[] = [];
    const hal = createSimHal({ dir: tempDeviceDir(), logLevel: 'info', log: (_l, line) => lines.push(line) });
    hal.log.write('debug', 'hidden');
    hal.log.write('warn', 'shown');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d+\.\d\d warn shown$/);
  });
});
