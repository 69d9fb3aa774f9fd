/**
 * The ESP32 HAL's board parts in the Espruino-shaped sandbox: Wi-Fi from `wifi.json` with a
 * timeout and the failure reason, SNTP-sized UDP exchanges over `dgram`, deep sleep, LED,
 * watchdog, device id and memory.
 */
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EspruinoBoard, type BoardOptions, type LiveWake } from '../support/espruino-doubles/index.js';
import { halTestBundle } from './bundles.js';

interface HalLike {
  net: { up(ms: number): Promise<{ ip?: string; rssi?: number }>; down(): Promise<void> };
  udp: { exchange(host: string, port: number, packet: Uint8Array, ms: number): Promise<Uint8Array> };
  power: { deepSleep(s: number): Promise<void>; wakeReason(): string; batteryVolts(): number | undefined };
  indicator: { set(on: boolean): void };
  watchdog: { start(s: number): void; kick(): void };
  device: { id(): string; defaultThingName(): string; engine: string; memory(): { free: number; total: number } };
  log: { write(level: string, message: string): void };
}

let code: string;
let echo: dgram.Socket;
let echoPort: number;

beforeAll(async () => {
  code = await halTestBundle();
  echo = dgram.createSocket('udp4');
  echo.on('message', (msg, rinfo) => {
    const reply = Buffer.alloc(48, 0x24);
    reply[0] = msg[0] as number;
    echo.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', () => r()));
  echoPort = (echo.address() as { port: number }).port;
}, 120_000);

afterAll(() => echo?.close());

function boot(options: Partial<BoardOptions> = {}, cause = 4, halOptions: object = {}): { board: EspruinoBoard; wake: LiveWake; h: HalLike } {
  const board = new EspruinoBoard(options);
  board.upload('wifi.json', JSON.stringify({ ssid: board.options.ap.ssid, password: board.options.ap.password }));
  const wake = board.boot(code, { cause });
  const h = (wake.global.halTest as { createEsp32Hal(o: object): HalLike }).createEsp32Hal(halOptions);
  return { board, wake, h };
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
  throw new Error('expected a rejection');
}

describe('esp32 net (Wi-Fi)', () => {
  it('joins the network of wifi.json and reports address and signal', async () => {
    const { wake, h } = boot();
    const info = await h.net.up(2000);
    expect(info).toEqual({ ip: '192.168.4.23', rssi: -58 });
    await h.net.down();
    wake.end();
    const r = await wake.result;
    expect(r.wifi).toEqual({ connects: 1, disconnects: 1 });
    expect(r.console.join('\n')).not.toMatch(/correct horse/);
  });

  it('a wrong password fails with ENET and the reason', async () => {
    const { board, wake, h } = boot();
    board.upload('wifi.json', JSON.stringify({ ssid: board.options.ap.ssid, password: 'nope' }));
    const f = await failure(h.net.up(2000));
    expect(f).toEqual({ code: 'ENET', message: 'Wi-Fi: joining "dormouse-lab" failed: AUTH_FAIL' });
    wake.end();
  });

  it('an absent access point times out with the last disconnect reason', async () => {
    const { wake, h } = boot({ ap: { ssid: 'dormouse-lab', password: 'correct horse', joinMs: 20, rssi: -50, ip: '10.0.0.2', fault: 'absent' } });
    const f = await failure(h.net.up(300));
    expect(f.code).toBe('ENET');
    expect(f.message).toBe('Wi-Fi: no connection to "dormouse-lab" within 300 ms (last reason: NO_AP_FOUND)');
    wake.end();
    expect((await wake.result).wifi.disconnects).toBe(1);
  });

  it('DHCP that never answers fails with ENET', async () => {
    const { wake, h } = boot({ ap: { ssid: 'dormouse-lab', password: 'correct horse', joinMs: 20, rssi: -50, ip: '10.0.0.2', fault: 'dhcp' } });
    expect((await failure(h.net.up(2000))).message).toMatch(/DHCP gave no address/);
    wake.end();
  });

  it('refuses a missing or malformed wifi.json with the expected shape', async () => {
    const { board, wake, h } = boot();
    board.flash.files.delete('wifi.json');
    expect((await failure(h.net.up(500))).message).toMatch(/wifi\.json: missing; expected \{"ssid": "\.\.\.", "password": "\.\.\."\}/);
    board.upload('wifi.json', '{"ssid": 42}');
    expect((await failure(h.net.up(500))).message).toBe('wifi.json: field "ssid": expected a string of 1..32 bytes, got number');
    board.upload('wifi.json', '["dormouse-lab"]');
    expect((await failure(h.net.up(500))).code).toBe('ENET');
    wake.end();
  });
});

describe('esp32 udp', () => {
  it('sends a datagram as an 8-bit string and returns the reply bytes', async () => {
    const { wake, h } = boot();
    const packet = new Uint8Array(48);
    packet[0] = 0x23;
    packet[40] = 0xff;
    const reply = await h.udp.exchange('127.0.0.1', echoPort, packet, 1000);
    expect(reply.length).toBe(48);
    expect(reply[0]).toBe(0x23);
    expect(reply[1]).toBe(0x24);
    wake.end();
    expect((await wake.result).datagrams).toEqual([{ host: '127.0.0.1', port: echoPort, bytes: 48 }]);
  });

  it('times out when nothing answers (Espruino reports no error for an unknown host either)', async () => {
    const { wake, h } = boot();
    const f = await failure(h.udp.exchange('ntp.invalid', 123, new Uint8Array(48), 200));
    expect(f).toEqual({ code: 'ETIMEOUT', message: 'udp: no reply from ntp.invalid:123 within 200 ms' });
    wake.end();
  });
});

describe('esp32 power, LED, watchdog, device', () => {
  it('deep sleep turns the LED off and radio off, then calls ESP32.deepSleep in microseconds', async () => {
    const { wake, h } = boot();
    await h.net.up(2000);
    h.indicator.set(true);
    void h.power.deepSleep(30);
    const r = await wake.result;
    expect(r.sleepUs).toBe(30_000_000);
    expect(r.pins.D2).toEqual([1, 0]);
    expect(r.wifi.disconnects).toBe(1);
  });

  it('caps a sleep at what ESP32.deepSleep can take (32-bit microseconds)', async () => {
    const { wake, h } = boot();
    void h.power.deepSleep(9000);
    expect((await wake.result).sleepUs).toBe(2147 * 1_000_000);
  });

  it('tells a timer wake from a power-on', () => {
    const a = boot({}, 4);
    expect(a.h.power.wakeReason()).toBe('timer');
    a.wake.end();
    const b = boot({}, 0);
    expect(b.h.power.wakeReason()).toBe('power-on');
    expect(b.h.power.batteryVolts()).toBeUndefined();
    b.wake.end();
  });

  it('drives the LED on the configured pin, active low if asked, and survives a bad pin', async () => {
    const a = boot({}, 4, { ledPin: 'D4', ledActiveLow: true });
    a.h.indicator.set(true);
    a.h.indicator.set(false);
    a.wake.end();
    expect((await a.wake.result).pins).toEqual({ D4: [0, 1] });
    const b = boot({}, 4, { ledPin: 'X9' });
    b.h.indicator.set(true);
    b.h.indicator.set(false);
    b.wake.end();
    const r = await b.wake.result;
    expect(r.console.filter((l) => l.includes('led: pin X9 cannot be driven')).length).toBe(1);
  });

  it('starts the watchdog in manual mode and kicks it', async () => {
    const { wake, h } = boot();
    h.watchdog.start(29.6);
    h.watchdog.kick();
    wake.end();
    expect((await wake.result).watchdog).toEqual({ started: 30, auto: false, kicks: 1 });
  });

  it('names the thing ESP-<serial> and reports the free heap', () => {
    const { wake, h } = boot({ serial: '30aea4c0ffee', freeHeap: 91234 });
    expect(h.device.engine).toBe('espruino');
    expect(h.device.id()).toBe('30aea4c0ffee');
    expect(h.device.defaultThingName()).toBe('ESP-30aea4c0ffee');
    expect(h.device.memory().free).toBe(91234);
    expect(h.device.memory().total).toBeGreaterThan(91234);
    wake.end();
  });

  it('logs one line per message with uptime and level, dropping levels below the minimum', async () => {
    const { wake, h } = boot({}, 4, { logLevel: 'info' });
    h.log.write('debug', 'hidden');
    h.log.write('warn', 'shown');
    wake.end();
    const lines = (await wake.result).console;
    expect(lines.some((l) => /^\d+\.\d\d warn shown$/.test(l))).toBe(true);
    expect(lines.some((l) => l.includes('hidden'))).toBe(false);
  });
});
