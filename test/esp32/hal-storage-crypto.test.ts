/**
 * The ESP32 HAL's crypto, text and Storage parts, bundled with the project's settings and run in
 * the Espruino-shaped sandbox over the doubles of Espruino's modules (8-bit strings, ArrayBuffer
 * hashes, Storage's 28-char names and full-flash errors, torn writes).
 */
import { createHash, createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { EspruinoBoard, type LiveWake } from '../support/espruino-doubles/index.js';
import { halTestBundle } from './bundles.js';

interface HalTest {
  createEsp32Hal(o?: object): {
    crypto: { sha256(d: Uint8Array): Uint8Array; hmacSha256(k: Uint8Array, d: Uint8Array): Uint8Array; utf8(t: string): Uint8Array; random(n: number): Uint8Array };
    storage: { read(n: string): string | undefined; write(n: string, d: string): void; remove(n: string): void };
    rtc: { read(): string | undefined; write(d: string): void };
    clock: { now(): number; set(ms: number): void; trustedSince(): number | undefined; uptime(): number };
  };
  createEsp32Storage(): { read(n: string): string | undefined; write(n: string, d: string): void; remove(n: string): void };
  decodeUtf8(bytes: string): string;
  utf8ByteString(text: string): string;
}

let code: string;
beforeAll(async () => {
  code = await halTestBundle();
}, 120_000);

function boot(board: EspruinoBoard, cause = 4): { wake: LiveWake; t: HalTest } {
  const wake = board.boot(code, { cause });
  return { wake, t: wake.global.halTest as HalTest };
}

const hex = (u: Uint8Array): string => Buffer.from(u).toString('hex');
const latin1 = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

describe('esp32 crypto', () => {
  it('sha256 is the native hash (ArrayBuffer out) and matches Node', () => {
    const board = new EspruinoBoard();
    const { wake, t } = boot(board);
    const hal = t.createEsp32Hal();
    const data = hal.crypto.utf8('abc');
    expect(hex(hal.crypto.sha256(data))).toBe(createHash('sha256').update('abc').digest('hex'));
    wake.end();
  });

  it('hmacSha256 matches Node for short and long (> 64 byte) keys', async () => {
    const board = new EspruinoBoard();
    const { wake, t } = boot(board);
    const hal = t.createEsp32Hal();
    for (const key of ['AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', 'k'.repeat(100), '']) {
      const mac = hal.crypto.hmacSha256(hal.crypto.utf8(key), hal.crypto.utf8('20150830'));
      expect(hex(mac)).toBe(createHmac('sha256', key).update('20150830').digest('hex'));
    }
    wake.end();
    const r = await wake.result;
    expect(r.sha256Calls).toBeGreaterThan(0);
  });

  it('utf8 gives the UTF-8 bytes Node gives, for ASCII, Latin-1, BMP and astral text', () => {
    const board = new EspruinoBoard();
    const { wake, t } = boot(board);
    const hal = t.createEsp32Hal();
    for (const text of ['plain ascii\r\n', 'caf\u00e9', '\u20ac 5', 'snow \u2603 and \ud83d\ude00', '']) {
      expect(hex(hal.crypto.utf8(text))).toBe(Buffer.from(text, 'utf8').toString('hex'));
    }
    wake.end();
  });

  it('decodes UTF-8 bytes from the wire to Latin-1 text on an 8-bit engine (code points above 255 become ?)', () => {
    const board = new EspruinoBoard();
    const { wake, t } = boot(board);
    expect(t.decodeUtf8(latin1('caf\u00e9'))).toBe('caf\u00e9');
    expect(t.decodeUtf8(latin1('5 \u20ac'))).toBe('5 ?');
    expect(t.decodeUtf8('\xff\xfe ok')).toBe('\xff\xfe ok');
    expect(t.utf8ByteString('caf\u00e9')).toBe(latin1('caf\u00e9'));
    wake.end();
  });

  it('random gives the requested number of bytes, not all equal', () => {
    const board = new EspruinoBoard();
    const { wake, t } = boot(board);
    const r = t.createEsp32Hal().crypto.random(16);
    expect(r.length).toBe(16);
    expect(new Set(Array.from(r)).size).toBeGreaterThan(1);
    wake.end();
  });
});

describe('esp32 storage', () => {
  it('round-trips text, including non-ASCII, and stores it as UTF-8 bytes', () => {
    const board = new EspruinoBoard();
    const { wake, t } = boot(board);
    const s = t.createEsp32Storage();
    expect(s.read('dormouse.state')).toBeUndefined();
    s.write('dormouse.state', '{"status":"caf\u00e9"}');
    expect(s.read('dormouse.state')).toBe('{"status":"caf\u00e9"}');
    const slot = board.file('dormouse.state~a') as string;
    const bytes = Buffer.byteLength('{"status":"caf\u00e9"}', 'utf8');
    expect(slot).toBe(`DMS1 1 ${slot.split(' ')[2]} ${bytes}\n{"status":"caf\u00e9"}`);
    expect(bytes).toBe(18);
    wake.end();
  });

  it('writes only on change, alternating slots with a growing sequence', () => {
    const board = new EspruinoBoard();
    const { wake, t } = boot(board);
    const s = t.createEsp32Storage();
    s.write('rec', 'one');
    const writes = board.flash.writes;
    s.write('rec', 'one');
    expect(board.flash.writes).toBe(writes);
    s.write('rec', 'two');
    s.write('rec', 'three');
    expect(board.file('rec~a')).toMatch(/^DMS1 3 /);
    expect(board.file('rec~b')).toMatch(/^DMS1 2 /);
    expect(s.read('rec')).toBe('three');
    wake.end();
  });

  it('a power cut while writing leaves the previous contents readable (atomic write)', async () => {
    const board = new EspruinoBoard();
    const first = boot(board);
    const s = first.t.createEsp32Storage();
    s.write('dormouse.intent', '{"key":"signal","v":1}');
    s.write('dormouse.intent', '{"key":"signal","v":2}');
    board.flash.tearNextWrite(0.5);
    expect(() => s.write('dormouse.intent', '{"key":"signal","v":3}')).toThrow(/power cut/);
    const r = await first.wake.result;
    expect(r.sleepUs).toBeUndefined();
    const second = boot(board);
    expect(second.t.createEsp32Storage().read('dormouse.intent')).toBe('{"key":"signal","v":2}');
    second.wake.end();
  });

  it('hands back the damaged contents when every slot is damaged, so the caller checksum reports it', () => {
    const board = new EspruinoBoard();
    board.upload('x~a', 'DMS1 4 0 3\nabc');
    const { wake, t } = boot(board);
    expect(t.createEsp32Storage().read('x')).toBe('abc');
    wake.end();
  });

  it('reads a plain uploaded file, and a device-side write replaces it', () => {
    const board = new EspruinoBoard();
    board.upload('aws_iot_cfg.txt', '{"region":"us-east-1"}');
    const { wake, t } = boot(board);
    const s = t.createEsp32Storage();
    expect(s.read('aws_iot_cfg.txt')).toBe('{"region":"us-east-1"}');
    s.write('aws_iot_cfg.txt', '{"region":"eu-west-1"}');
    expect(board.file('aws_iot_cfg.txt')).toBeUndefined();
    expect(s.read('aws_iot_cfg.txt')).toBe('{"region":"eu-west-1"}');
    s.remove('aws_iot_cfg.txt');
    expect(s.read('aws_iot_cfg.txt')).toBeUndefined();
    expect([...board.flash.files.keys()].filter((k) => k.startsWith('aws'))).toEqual([]);
    wake.end();
  });

  it('refuses names Espruino would truncate (over 26 chars with the slot suffix)', () => {
    const board = new EspruinoBoard();
    const { wake, t } = boot(board);
    const s = t.createEsp32Storage();
    expect(() => s.write('a'.repeat(27), 'x')).toThrow(/1\.\.26 chars/);
    try {
      s.write('a'.repeat(27), 'x');
    } catch (e) {
      expect((e as { code: string }).code).toBe('ESTORAGE');
    }
    s.write('a'.repeat(26), 'x');
    expect(s.read('a'.repeat(26))).toBe('x');
    wake.end();
  });

  it('reports EFULL when the flash cannot hold the file, after compacting', () => {
    const board = new EspruinoBoard({ flashBytes: 4096 });
    const { wake, t } = boot(board);
    const s = t.createEsp32Storage();
    s.write('a', 'x'.repeat(1500));
    s.write('a', 'y'.repeat(1500));
    let code: string | undefined;
    let message = '';
    try {
      s.write('b', 'z'.repeat(1500));
    } catch (e) {
      code = (e as { code: string }).code;
      message = (e as Error).message;
    }
    expect(code).toBe('EFULL');
    expect(message).toMatch(/flash full/);
    expect(board.flash.compactions).toBeGreaterThan(0);
    expect(s.read('a')).toBe('y'.repeat(1500));
    wake.end();
  });
});

describe('esp32 rtc and clock', () => {
  it('RTC memory and clock trust survive a timer wake and are dropped at power-on', () => {
    const board = new EspruinoBoard();
    const first = boot(board, 0);
    const hal = first.t.createEsp32Hal();
    hal.rtc.write('{"wakes":3}');
    const when = hal.clock.now();
    hal.clock.set(when);
    expect(hal.clock.trustedSince()).toBe(when);
    first.wake.end();

    const timer = boot(board, 4);
    const hal2 = timer.t.createEsp32Hal();
    expect(hal2.rtc.read()).toBe('{"wakes":3}');
    expect(hal2.clock.trustedSince()).toBe(when);
    timer.wake.end();

    const powerOn = boot(board, 0);
    const hal3 = powerOn.t.createEsp32Hal();
    expect(hal3.rtc.read()).toBeUndefined();
    expect(hal3.clock.trustedSince()).toBeUndefined();
    powerOn.wake.end();
  });

  it('clock.set moves the system clock (setTime) without moving uptime', () => {
    const board = new EspruinoBoard();
    const { wake, t } = boot(board);
    const hal = t.createEsp32Hal();
    const up = hal.clock.uptime();
    const target = Date.UTC(2030, 0, 1);
    hal.clock.set(target);
    expect(Math.abs(hal.clock.now() - target)).toBeLessThan(50);
    expect(Number.isInteger(hal.clock.now())).toBe(true);
    expect(hal.clock.uptime() - up).toBeLessThan(50);
    expect(hal.clock.uptime()).toBeGreaterThanOrEqual(0);
    wake.end();
  });
});
