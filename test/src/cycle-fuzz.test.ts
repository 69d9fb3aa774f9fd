/**
 * Bad input through a whole wake (`boot()`: real shadow client, signer, config loader, over the
 * memory HAL's fake cloud). Extends test/src/cycle-property.test.ts with what it does not feed:
 * `__proto__` and `constructor.prototype` as OWN keys at any depth (JSON.parse makes them own
 * keys), arrays and scalars where objects belong (desired, state, the whole document), 100 KB
 * strings, nesting 50 deep, NaN-like strings and edge numbers, hundreds of unknown keys, and
 * documents that are not JSON at all. Every wake ends in deep sleep with a `done:`/`error:`
 * status, nothing is polluted, and what the device persisted still decodes and validates.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Hal, HttpRequest, HttpResponse } from '../../hal/hal.js';
import { boot } from '../../firmware/app.js';
import { ShadeThing } from '../../firmware/things/shade-thing.js';
import { INTENT_FILE, STATE_FILE, decodeRecord, parseIntentRecord, parseRtcRecord, parseStateRecord } from '../../src/store.js';
import { MemoryHal, testConfigFiles } from '../support/memory-hal.js';

const utf8 = (t: string): Uint8Array => new Uint8Array(Buffer.from(t, 'utf8'));

function nested(depth: number, leaf: string): string {
  return `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
}
function nestedArray(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

const BIG = 'x'.repeat(100 * 1024);

/** Values as JSON text (so `__proto__` keys arrive as own keys, as from the wire). */
const valueText = fc.oneof(
  fc.constantFrom(
    '"NaN"', '"Infinity"', '"-Infinity"', '"1e309"', '"0x10"', '" 5 "', '"5e0"', '"-0"', '""', '"null"', '"true"', '"[object Object]"', '"__proto__"',
    '1e308', '-0', '5.0000001', '9007199254740993', '-1', '601', '4.9', '1e-7', '0', 'true', 'null', '[]', '{}', '[null]', '[{"__proto__":1}]',
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"prototype":{"polluted":true},"toString":1,"valueOf":"x","hasOwnProperty":null}',
    `"${BIG}"`,
    nested(50, '{"__proto__":{"polluted":true}}'),
    nestedArray(50),
  ),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.integer({ min: -1000, max: 1000 }).map(String),
);

const keyText = fc.oneof(
  fc.constantFrom('sleep', 'signal', 'test', 'test_param', 'position', 'status', 'device'),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__', 'then', 'hal', 'beginWake', ''),
  fc.string({ maxLength: 30 }),
).map((k) => JSON.stringify(k));

/** A desired section as JSON text. */
const desiredText = fc.oneof(
  { arbitrary: fc.array(fc.tuple(keyText, valueText), { maxLength: 8 }).map((kv) => `{${kv.map(([k, v]) => `${k}:${v}`).join(',')}}`), weight: 6 },
  // Hundreds of unknown keys.
  { arbitrary: fc.integer({ min: 100, max: 600 }).map((n) => `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`), weight: 1 },
  // Arrays and scalars where the object belongs.
  { arbitrary: fc.constantFrom('[1,2,3]', '[]', '"desired"', '42', 'true', `[${'{"sleep":5}'.repeat(1)}]`), weight: 1 },
);

/** The whole GET answer as text, valid or not. */
const documentText = fc.oneof(
  { arbitrary: desiredText.map((d) => `{"state":{"desired":${d}},"version":3,"timestamp":1}`), weight: 5 },
  {
    arbitrary: fc.tuple(desiredText, fc.constantFrom(
      (d: string) => `[${d}]`,
      (d: string) => `{"state":[${d}]}`,
      (d: string) => `{"state":"${d.length < 50 ? d.replace(/"/g, "'") : 'x'}"}`,
      (d: string) => `{"state":{"desired":${d},"delta":${d}},"version":"NaN"}`,
      (d: string) => `{"state":{"desired":${d}},"metadata":[],"version":3}`,
      (d: string) => `{"state":{"desired":${d}},"metadata":{"desired":${d}},"version":1e400}`,
      (d: string) => `{"state":{"desired":${d}}`,
      (d: string) => `{"state":{"desired":${d}}} trailing`,
      (d: string) => `{"__proto__":{"state":{"desired":${d}}}}`,
      (d: string) => `{"state":{"__proto__":{"desired":${d}}}}`,
      () => 'null',
      () => '',
      () => '\u0000\u0001\u00ff',
      () => nested(50, '1'),
    )).map(([d, wrap]) => wrap(d)),
    weight: 3,
  },
);

/** A device over the memory HAL whose GET answers `getBody` (200) instead of the fake cloud's. */
function device(getBody: string | undefined): { hal: Hal; mem: MemoryHal } {
  const mem = new MemoryHal({ files: testConfigFiles() });
  const http = {
    request(req: HttpRequest): Promise<HttpResponse> {
      if (getBody === undefined || req.method !== 'GET') return mem.http.request(req);
      return mem.http.request(req).then((r) => ({ ...r, status: 200, body: getBody, headers: { ...r.headers, 'content-type': 'application/json' } }));
    },
    close: () => mem.http.close(),
  };
  const hal: Hal = { clock: mem.clock, net: mem.net, http, udp: mem.udp, crypto: mem.crypto, storage: mem.storage, rtc: mem.rtc, indicator: mem.indicator, power: mem.power, watchdog: mem.watchdog, log: mem.log, device: mem.device };
  return { hal, mem };
}

/** What the device persisted decodes (checksum) and validates (shape). */
function expectPersistedValid(mem: MemoryHal): void {
  const state = decodeRecord(utf8, mem.files.get(STATE_FILE));
  expect(state.outcome).not.toBe('corrupt');
  if (state.outcome === 'ok') expect(parseStateRecord(state.data)).toBeDefined();
  const intent = decodeRecord(utf8, mem.files.get(INTENT_FILE));
  expect(intent.outcome).not.toBe('corrupt');
  if (intent.outcome === 'ok') expect(parseIntentRecord(intent.data)).toBeDefined();
  const rtc = decodeRecord(utf8, mem.rtcData);
  expect(rtc.outcome).not.toBe('corrupt');
  if (rtc.outcome === 'ok') expect(parseRtcRecord(rtc.data)).toBeDefined();
}

function expectUnpolluted(protoBefore: string[]): void {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore);
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
}

describe('cycle: fuzzed desired documents through boot()', () => {
  test('fuzz: any desired section (own __proto__/constructor keys, 100 KB strings, depth 50, arrays): sleep, done:/error:, no pollution, valid records', async () => {
    const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    await fc.assert(
      fc.asyncProperty(fc.array(desiredText, { minLength: 1, maxLength: 3 }), async (desireds) => {
        const { hal, mem } = device(undefined);
        for (const d of desireds) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(d);
          } catch {
            continue;
          }
          if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
            // The fake cloud only holds objects; a non-object desired goes through the GET override below.
            const other = device(`{"state":{"desired":${d}},"version":1}`);
            const s = await boot(other.hal, { thing: (h) => new ShadeThing(h) });
            expect(s.status).toMatch(/^error: EBADDOC: /);
            expect(other.mem.sleeps.length).toBe(1);
            continue;
          }
          mem.cloud.setDesiredRaw('id-1', d, mem.clock.trueNow);
          const before = mem.sleeps.length;
          const s = await boot(hal, { thing: (h) => new ShadeThing(h) });
          expect(mem.sleeps.length).toBe(before + 1);
          expect(s.status).toMatch(/^(done|error): /);
          expect(s.status.length).toBeLessThanOrEqual(300);
          expect(s.sleep.seconds).toBeGreaterThanOrEqual(5);
          expect(s.sleep.seconds).toBeLessThanOrEqual(600);
          expectPersistedValid(mem);
          expectUnpolluted(protoBefore);
        }
        // What the device reported is JSON the cloud can store (no 100 KB echo, no own __proto__ smuggled back).
        for (const p of mem.cloud.posts()) {
          expect((p.body ?? '').length).toBeLessThan(8192);
          const reported = (JSON.parse(p.body ?? '{}') as { state: { reported: Record<string, unknown> } }).state.reported;
          expect(Object.prototype.hasOwnProperty.call(reported, '__proto__')).toBe(false);
        }
      }),
      { numRuns: 60 },
    );
  }, 60_000);

  test('fuzz: any GET answer (arrays, scalars, truncated, trailing junk, wrong field types): sleep, done:/error:, no pollution, valid records', async () => {
    const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    await fc.assert(
      fc.asyncProperty(documentText, async (doc) => {
        const { hal, mem } = device(doc);
        const s = await boot(hal, { thing: (h) => new ShadeThing(h) });
        expect(mem.sleeps.length).toBe(1);
        expect(s.status).toMatch(/^(done|error): /);
        expect(s.status.length).toBeLessThanOrEqual(300);
        expectPersistedValid(mem);
        expectUnpolluted(protoBefore);
      }),
      { numRuns: 80 },
    );
  }, 60_000);

  test('fuzz: a desired value nested 50,000 deep (a hostile server, past AWS\'s 6 levels): refused as EBADDOC before anything walks it, and the wake sleeps', async () => {
    for (const body of [`{"state":{"desired":{"signal":${nestedArray(50_000)}}},"version":1}`, `{"state":{"desired":{"position":${nested(50_000, '1')}}},"version":1}`]) {
      const { hal, mem } = device(body);
      const s = await boot(hal, { thing: (h) => new ShadeThing(h) });
      expect(mem.sleeps.length).toBe(1);
      expect(s.status).toMatch(/^error: EBADDOC: GET shadow: expected a document nested at most 16 levels/);
      expect(s.error).toBe('EBADDOC');
      expectPersistedValid(mem);
    }
  });

  test('fuzz: own __proto__ and constructor.prototype keys are ignored, reported back as such, and change nothing', async () => {
    const { hal, mem } = device(undefined);
    mem.cloud.setDesiredRaw('id-1', '{"__proto__":{"polluted":true,"sleep":5},"constructor":{"prototype":{"polluted":true}},"position":{"__proto__":{"polluted":1}},"sleep":45}', mem.clock.trueNow);
    const s = await boot(hal, { thing: (h) => new ShadeThing(h) });
    expect(s.status).toMatch(/^error: /);
    expect(s.status).toContain('sleep: 45 s');
    expect(mem.sleeps).toEqual([45]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((ShadeThing.prototype as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expectPersistedValid(mem);
  });
});
