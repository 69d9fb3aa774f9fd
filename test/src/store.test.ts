import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { crc32, crc32Hex } from '../../src/checksum.js';
import {
  decodeRecord, emptyState, encodeRecord, fileIo, parseIntentRecord, parseRtcRecord, parseStateRecord, PersistedRecord, rtcIo,
} from '../../src/store.js';
import { MemoryHal } from '../support/memory-hal.js';

const utf8 = (t: string) => new Uint8Array(Buffer.from(t, 'utf8'));

describe('checksum', () => {
  test('CRC-32 of "123456789" is the standard check value cbf43926', () => {
    expect(crc32(utf8('123456789'))).toBe(0xcbf43926);
    expect(crc32Hex(utf8(''))).toBe('00000000');
    expect(crc32Hex(utf8('a'))).toBe('e8b7be43');
  });
  test('a single flipped bit changes the CRC', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (bytes, at, bit) => {
        const copy = new Uint8Array(bytes);
        const i = at % copy.length;
        copy[i] = (copy[i] as number) ^ (1 << bit);
        expect(crc32(copy)).not.toBe(crc32(bytes));
      }),
    );
  });
});

describe('store: records', () => {
  test('a record round-trips with its format tag and checksum', () => {
    const text = encodeRecord(utf8, { a: 1, é: 'ü' });
    expect(text).toMatch(/^dm1 [0-9a-f]{8} \{/);
    expect(decodeRecord(utf8, text)).toEqual({ outcome: 'ok', data: { a: 1, é: 'ü' } });
  });

  test.each([
    ['a changed character', (t: string) => t.replace('"a":1', '"a":2')],
    ['a truncated record', (t: string) => t.substring(0, t.length - 2)],
    ['another format tag', (t: string) => `dm2${t.substring(3)}`],
    ['garbage', () => 'not a record at all'],
    ['a bad checksum field', (t: string) => `dm1 zzzzzzzz${t.substring(12)}`],
  ])('%s is corrupt', (_name, damage) => {
    const text = encodeRecord(utf8, { a: 1, b: [1, 2] });
    expect(decodeRecord(utf8, damage(text)).outcome).toBe('corrupt');
  });

  test('no record is missing, not corrupt', () => {
    expect(decodeRecord(utf8, undefined).outcome).toBe('missing');
    expect(decodeRecord(utf8, '').outcome).toBe('missing');
  });

  test('a record with a right checksum but a wrong shape is corrupt', () => {
    const hal = new MemoryHal();
    hal.files.set('x', encodeRecord(utf8, { wakes: 'many', backoff: 0 }));
    expect(new PersistedRecord(fileIo(hal.storage, 'x'), utf8, parseRtcRecord).load().outcome).toBe('corrupt');
  });

  test('writes only when the contents changed', () => {
    const hal = new MemoryHal();
    const r = new PersistedRecord(fileIo(hal.storage, 'state'), utf8, parseStateRecord);
    expect(r.load().outcome).toBe('missing');
    expect(r.save(emptyState())).toBe(true);
    expect(r.save(emptyState())).toBe(false);
    const again = new PersistedRecord(fileIo(hal.storage, 'state'), utf8, parseStateRecord);
    expect(again.load()).toEqual({ outcome: 'ok', value: emptyState() });
    expect(again.save(emptyState())).toBe(false);
    expect(again.save({ ...emptyState(), pending: true })).toBe(true);
    expect(hal.writes.get('state')).toBe(2);
  });

  test('clear removes the record once', () => {
    const hal = new MemoryHal();
    const r = new PersistedRecord(fileIo(hal.storage, 'intent'), utf8, parseIntentRecord);
    r.save({ key: 'signal', value: 3, ts: 100 });
    r.clear();
    expect(hal.files.has('intent')).toBe(false);
    expect(r.load().outcome).toBe('missing');
  });

  test('RTC record lives in RTC memory', () => {
    const hal = new MemoryHal();
    const r = new PersistedRecord(rtcIo(hal.rtc), utf8, parseRtcRecord);
    r.save({ wakes: 3, backoff: 1, clock: { anchorAt: 1, anchorErrMs: 2, driftPpm: 3, samples: 1 } });
    expect(new PersistedRecord(rtcIo(hal.rtc), utf8, parseRtcRecord).load().value).toEqual({
      wakes: 3, backoff: 1, clock: { anchorAt: 1, anchorErrMs: 2, driftPpm: 3, samples: 1 },
    });
    hal.powerCut();
    expect(new PersistedRecord(rtcIo(hal.rtc), utf8, parseRtcRecord).load().outcome).toBe('missing');
  });

  test('shape checks reject junk and never copy unsafe keys', () => {
    expect(parseStateRecord({ current: [], applied: {}, pending: false, rejected: {}, ignored: [] })).toBeUndefined();
    expect(parseStateRecord({ current: {}, applied: { a: 'x' }, pending: false, rejected: {}, ignored: [] })).toBeUndefined();
    expect(parseStateRecord({ current: {}, applied: {}, pending: 'yes', rejected: {}, ignored: [] })).toBeUndefined();
    expect(parseStateRecord({ current: {}, applied: {}, pending: false, rejected: {}, ignored: [1] })).toBeUndefined();
    const parsed = parseStateRecord(JSON.parse('{"current":{"__proto__":{"x":1},"sleep":30},"applied":{},"pending":false,"rejected":{},"ignored":[]}'));
    expect(parsed?.current).toEqual({ sleep: 30 });
    expect(Object.getPrototypeOf(parsed?.current)).toBe(Object.prototype);
    expect(parseIntentRecord({ key: 'signal' })).toBeUndefined();
    expect(parseIntentRecord({ key: 'signal', value: 2, ts: 'x' })).toBeUndefined();
    expect(parseRtcRecord({ wakes: 1, backoff: 0, clock: { anchorAt: 1 } })).toBeUndefined();
  });

  test('any JSON object survives encode/decode', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (o) => {
        const d = decodeRecord(utf8, encodeRecord(utf8, o as never));
        expect(d.outcome).toBe('ok');
        expect(JSON.stringify(d.data)).toBe(JSON.stringify(o));
      }),
    );
  });
});
