import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSimHal, cutPower, openMachineStore } from '../../../hal/sim/index.js';
import type { SimHalOptions } from '../../../hal/sim/index.js';
import { manualHostClock, tempDeviceDir } from './support.js';

/** One wake that writes `rtc` and sleeps; returns the HAL. */
async function sleepingWake(o: Partial<SimHalOptions> & { dir: string }, rtc?: string) {
  const hal = createSimHal(o);
  if (rtc !== undefined) hal.rtc.write(rtc);
  await hal.power.deepSleep(30);
  return hal;
}

describe('sim machine: RTC memory, clock, wake reasons', () => {
  it('rtc: survives a deep sleep, is lost in a power cut', async () => {
    const dir = tempDeviceDir();
    const first = await sleepingWake({ dir }, 'kept');
    expect(first.reason).toBe('power-on');
    const second = createSimHal({ dir });
    expect(second.reason).toBe('timer');
    expect(second.rtc.read()).toBe('kept');
    second.powerCut();
    const third = createSimHal({ dir });
    expect(third.reason).toBe('power-on');
    expect(third.rtc.read()).toBeUndefined();
  });

  it('rtc: a write larger than RTC memory fails with EFULL', () => {
    const hal = createSimHal({ dir: tempDeviceDir(), rtcBytes: 16 });
    expect(() => hal.rtc.write('x'.repeat(17))).toThrow(expect.objectContaining({ code: 'EFULL' }));
    expect(() => hal.rtc.write('x'.repeat(16))).not.toThrow();
  });

  it('power cut: flash keeps what was written before it, RTC memory and clock trust are gone', async () => {
    const dir = tempDeviceDir();
    const host = manualHostClock();
    const hal = createSimHal({ dir, hostNow: host.now });
    hal.storage.write('state', 'v1');
    hal.rtc.write('r');
    hal.clock.set(host.now());
    hal.powerCut();
    expect(() => hal.storage.write('state', 'v2')).toThrow(expect.objectContaining({ code: 'EPOWER' }));
    const next = createSimHal({ dir, hostNow: host.now });
    expect(next.storage.read('state')).toBe('v1');
    expect(next.rtc.read()).toBeUndefined();
    expect(next.clock.trustedSince()).toBeUndefined();
  });

  it('clock: powers on at host time plus the offset, untrusted, then runs on across sleeps', async () => {
    const dir = tempDeviceDir();
    const host = manualHostClock();
    const twoHours = 2 * 3600 * 1000;
    const hal = createSimHal({ dir, hostNow: host.now, clockOffsetMs: twoHours });
    expect(hal.clock.now()).toBe(host.now() + twoHours);
    expect(hal.clock.trustedSince()).toBeUndefined();
    host.advance(1000);
    expect(hal.clock.now()).toBe(host.now() + twoHours);
    await hal.power.deepSleep(30);
    host.advance(30_000);
    // The offset applies at power-on only: a later wake continues the same clock.
    const next = createSimHal({ dir, hostNow: host.now, clockOffsetMs: 0 });
    expect(next.clock.now()).toBe(host.now() + twoHours);
  });

  it('clock: set() is kept across a sleep with its trust, and drift accumulates from there', async () => {
    const dir = tempDeviceDir();
    const host = manualHostClock();
    const hal = createSimHal({ dir, hostNow: host.now, driftPpm: 10_000 });
    const t = host.now() - 5000;
    hal.clock.set(t);
    expect(hal.clock.now()).toBe(t);
    expect(hal.clock.trustedSince()).toBe(t);
    await hal.power.deepSleep(100);
    host.advance(100_000);
    const next = createSimHal({ dir, hostNow: host.now, driftPpm: 10_000 });
    // 1 % fast: 100 s of real time reads as 101 s.
    expect(next.clock.now()).toBe(t + 101_000);
    expect(next.clock.trustedSince()).toBe(t);
  });

  it('clock: uptime starts at zero each wake and does not move with set()', () => {
    const hal = createSimHal({ dir: tempDeviceDir() });
    const before = hal.clock.uptime();
    expect(before).toBeLessThan(50);
    hal.clock.set(0);
    expect(hal.clock.uptime()).toBeGreaterThanOrEqual(before);
    expect(hal.clock.uptime()).toBeLessThan(1000);
  });

  it('machine store "through": every change is in the directory at once', async () => {
    const dir = tempDeviceDir();
    await sleepingWake({ dir }, 'on disk');
    expect(JSON.parse(readFileSync(join(dir, 'rtc.json'), 'utf8'))).toEqual({ data: 'on disk' });
    expect(existsSync(join(dir, 'clock.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'power.json'), 'utf8'))).toMatchObject({ next: 'timer', boots: 1 });
  });

  it('machine store "on-stop": nothing volatile on disk while running (a crash is a power cut), all of it after flush', async () => {
    const dir = tempDeviceDir();
    await sleepingWake({ dir }, 'first');
    const store = openMachineStore(dir, 'on-stop', false);
    expect(existsSync(join(dir, 'rtc.json'))).toBe(false);
    const hal = createSimHal({ dir }, store);
    expect(hal.reason).toBe('timer');
    expect(hal.rtc.read()).toBe('first');
    hal.rtc.write('second');
    await hal.power.deepSleep(30);
    expect(existsSync(join(dir, 'rtc.json'))).toBe(false);
    store.flush();
    expect(createSimHal({ dir }).rtc.read()).toBe('second');
    // A store opened and dropped without flush (a crash) leaves a device that powers on.
    openMachineStore(dir, 'on-stop', false);
    expect(createSimHal({ dir }).reason).toBe('power-on');
  });

  it('cutPower on a sleeping device: the next wake is a power-on without RTC memory', async () => {
    const dir = tempDeviceDir();
    await sleepingWake({ dir }, 'x');
    cutPower(openMachineStore(dir, 'through', false));
    const hal = createSimHal({ dir });
    expect(hal.reason).toBe('power-on');
    expect(hal.rtc.read()).toBeUndefined();
  });

  it('device: id is stable per directory and differs between directories; thing name defaults to id-1', () => {
    const a = tempDeviceDir();
    const b = tempDeviceDir();
    expect(createSimHal({ dir: a }).device.id()).toBe(createSimHal({ dir: a }).device.id());
    expect(createSimHal({ dir: a }).device.id()).not.toBe(createSimHal({ dir: b }).device.id());
    expect(createSimHal({ dir: a }).device.defaultThingName()).toBe('id-1');
    expect(createSimHal({ dir: a, thing: 'shade-7' }).device.defaultThingName()).toBe('shade-7');
    expect(createSimHal({ dir: a }).device.engine).toBe('node');
    const m = createSimHal({ dir: a }).device.memory();
    expect(m.free).toBeGreaterThan(0);
    expect(m.total).toBeGreaterThan(m.free);
  });

  it('net and power: RSSI in a Wi-Fi range, battery volts that fall as the device is used', async () => {
    const dir = tempDeviceDir();
    const hal = createSimHal({ dir, batteryMah: 0.001 });
    const info = await hal.net.up(1000);
    expect(info.rssi).toBeGreaterThanOrEqual(-100);
    expect(info.rssi).toBeLessThanOrEqual(-20);
    const full = hal.power.batteryVolts() as number;
    expect(full).toBeGreaterThan(4);
    await hal.power.deepSleep(600);
    const later = createSimHal({ dir, batteryMah: 0.001 }).power.batteryVolts() as number;
    expect(later).toBeLessThan(full);
  });
});
