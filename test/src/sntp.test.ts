import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Udp } from '../../hal/hal.js';
import { createSimUdp } from '../../hal/sim/udp.js';
import { DormouseError } from '../../src/errors.js';
import { decodeSntpResponse, encodeSntpRequest, readNtpTime, sntpOffset, sntpSync } from '../../src/sntp.js';

const NTP_EPOCH_OFFSET = 2208988800;
const LATEST_MS = Date.parse('2104-01-01T00:00:00Z');

/** NTP timestamp of epoch ms, written independently of the codec (DataView, BigInt-free). */
function ntpBytes(ms: number): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  const sec = Math.floor(ms / 1000);
  v.setUint32(0, (sec + NTP_EPOCH_OFFSET) % 2 ** 32);
  v.setUint32(4, Math.round(((ms - sec * 1000) / 1000) * 2 ** 32) % 2 ** 32);
  return b;
}

interface ReplyFields {
  li?: number;
  vn?: number;
  mode?: number;
  stratum?: number;
  refId?: string;
  originate?: Uint8Array;
  receiveMs?: number;
  transmitMs?: number | null;
  length?: number;
}

/** A server reply to `request`, built by hand. */
function reply(request: Uint8Array, f: ReplyFields = {}): Uint8Array {
  const p = new Uint8Array(f.length ?? 48);
  const full = new Uint8Array(48);
  full[0] = ((f.li ?? 0) << 6) | ((f.vn ?? 4) << 3) | (f.mode ?? 4);
  full[1] = f.stratum ?? 2;
  const ref = f.refId ?? 'GPS\0';
  for (let i = 0; i < 4; i++) full[12 + i] = ref.charCodeAt(i) || 0;
  full.set(f.originate ?? request.subarray(40, 48), 24);
  const now = Date.now();
  full.set(ntpBytes(f.receiveMs ?? now), 32);
  if (f.transmitMs !== null) full.set(ntpBytes(f.transmitMs ?? now), 40);
  p.set(full.subarray(0, p.length));
  return p;
}

function unexpected(r: unknown): never {
  throw new Error(`expected a rejection, got ${JSON.stringify(r)}`);
}

function etime(fn: () => unknown): DormouseError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DormouseError);
    expect((e as DormouseError).code).toBe('ETIME');
    return e as DormouseError;
  }
  throw new Error('expected ETIME');
}

describe('sntp codec', () => {
  it('sntp: a request is 48 bytes, LI 0 / version 4 / client mode 3, transmit = the given time', () => {
    const ms = Date.parse('2025-06-01T12:00:00.250Z');
    const p = encodeSntpRequest(ms, new Uint8Array([0, 0]));
    expect(p.length).toBe(48);
    expect(p[0]).toBe(0x23);
    const v = new DataView(p.buffer);
    expect(v.getUint32(40)).toBe(ms / 1000 - 0.25 + NTP_EPOCH_OFFSET);
    expect(v.getUint32(44)).toBe(2 ** 30); // .25 s
    for (let i = 1; i < 40; i++) expect(p[i]).toBe(0);
  });

  it('sntp: random bytes go into the low 16 bits of the transmit fraction', () => {
    const p = encodeSntpRequest(Date.parse('2025-06-01T12:00:00Z'), new Uint8Array([0xab, 0xcd]));
    expect(p[46]).toBe(0xab);
    expect(p[47]).toBe(0xcd);
  });

  it('sntp: encode/decode preserve epoch ms from 1970 to 2104 (property, any low bits, across the 2036 era)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: LATEST_MS }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), (ms, r0, r1) => {
        const p = encodeSntpRequest(ms, new Uint8Array([r0, r1]));
        const v = new DataView(p.buffer);
        expect(v.getUint32(40)).toBe((Math.floor(ms / 1000) + NTP_EPOCH_OFFSET) % 2 ** 32);
        const back = readNtpTime(p, 40);
        return back === 0 ? ms === Date.parse('2036-02-07T06:28:16Z') : Math.round(back) === ms;
      }),
      { numRuns: 2000 },
    );
  });

  it('sntp: era 1 (after 2036-02-07) reads back right', () => {
    const ms = Date.parse('2040-01-01T00:00:00.500Z');
    const p = new Uint8Array(48);
    p.set(ntpBytes(ms), 40);
    expect(new DataView(p.buffer).getUint32(40)).toBeLessThan(2 ** 31);
    expect(readNtpTime(p, 40)).toBe(ms);
  });

  it('sntp: a valid reply decodes to T2/T3 in epoch ms with ms precision', () => {
    const req = encodeSntpRequest(Date.now(), new Uint8Array([1, 2]));
    const t2 = Date.parse('2025-06-01T12:00:00.123Z');
    const r = decodeSntpResponse(reply(req, { receiveMs: t2, transmitMs: t2 + 7, stratum: 3 }), req);
    expect(Math.round(r.receiveMs)).toBe(t2);
    expect(Math.round(r.transmitMs)).toBe(t2 + 7);
    expect(r.stratum).toBe(3);
    expect(r.version).toBe(4);
    // the 8-byte transmit stamp works as well as the whole request
    expect(decodeSntpResponse(reply(req), req.subarray(40, 48)).stratum).toBe(2);
  });

  it('sntp: version 3 servers are accepted', () => {
    const req = encodeSntpRequest(Date.now());
    expect(decodeSntpResponse(reply(req, { vn: 3 }), req).version).toBe(3);
  });

  it('sntp: a reply shorter than 48 bytes is rejected', () => {
    const req = encodeSntpRequest(Date.now());
    expect(etime(() => decodeSntpResponse(reply(req, { length: 47 }), req)).message).toBe('expected at least 48 bytes, got 47');
  });

  it('sntp: a reply not in server mode 4 is rejected', () => {
    const req = encodeSntpRequest(Date.now());
    expect(etime(() => decodeSntpResponse(reply(req, { mode: 3 }), req)).message).toBe('expected server mode 4, got 3');
  });

  it.each([[1], [2], [5]])('sntp: version %i is rejected', (vn) => {
    const req = encodeSntpRequest(Date.now());
    expect(etime(() => decodeSntpResponse(reply(req, { vn }), req)).message).toBe(`expected version 3 or 4, got ${vn}`);
  });

  it.each([['RATE'], ['DENY'], ['RSTR']])('sntp: stratum 0 is a kiss-o\'-death and names its code %s', (code) => {
    const req = encodeSntpRequest(Date.now());
    const e = etime(() => decodeSntpResponse(reply(req, { stratum: 0, li: 3, refId: code }), req));
    expect(e.message).toContain(code);
    expect(e.message).toContain("kiss-o'-death");
  });

  it('sntp: leap indicator 3 (alarm) is rejected', () => {
    const req = encodeSntpRequest(Date.now());
    expect(etime(() => decodeSntpResponse(reply(req, { li: 3 }), req)).message).toContain('leap indicator 3');
  });

  it('sntp: stratum 16 (unsynchronized) is rejected', () => {
    const req = encodeSntpRequest(Date.now());
    expect(etime(() => decodeSntpResponse(reply(req, { stratum: 16 }), req)).message).toContain('got 16');
  });

  it('sntp: a zero transmit timestamp is rejected', () => {
    const req = encodeSntpRequest(Date.now());
    expect(etime(() => decodeSntpResponse(reply(req, { transmitMs: null }), req)).message).toBe('expected a transmit timestamp, got zero');
  });

  it('sntp: a reply that does not echo our transmit timestamp is rejected', () => {
    const req = encodeSntpRequest(Date.now(), new Uint8Array([1, 2]));
    const other = encodeSntpRequest(Date.now(), new Uint8Array([1, 3]));
    expect(etime(() => decodeSntpResponse(reply(req, { originate: other.subarray(40, 48) }), req)).message).toContain('originate');
  });

  it('sntp: offset and round trip follow RFC 4330', () => {
    // client 1000 ms behind: T1=0 (client), T2=1010 (server), T3=1012, T4=24 (client)
    expect(sntpOffset(0, 1010, 1012, 24)).toEqual({ offsetMs: 999, roundTripMs: 22 });
    expect(sntpOffset(5000, 4000.4, 4000.6, 5001)).toEqual({ offsetMs: -1000, roundTripMs: 1 });
  });
});

/** A fake Udp whose answers are scripted per call. */
function scriptedUdp(script: ((packet: Uint8Array) => Promise<Uint8Array>)[]): Udp & { calls: Uint8Array[] } {
  const calls: Uint8Array[] = [];
  return {
    calls,
    exchange: (_h, _p, packet) => {
      calls.push(packet);
      const step = script[calls.length - 1];
      if (!step) return Promise.reject(Object.assign(new Error('no reply'), { code: 'ETIMEOUT' }));
      return step(packet);
    },
  };
}

const timeout = (): Promise<Uint8Array> => Promise.reject(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' }));

describe('sntp client (scripted transport)', () => {
  let clockMs = Date.parse('2025-06-01T12:00:00Z');
  const clock = { now: () => clockMs };

  it('sntp: sync measures the offset of a server 5 s ahead (and does not set the clock)', async () => {
    const udp = scriptedUdp([
      async (req) => {
        clockMs += 40; // 40 ms round trip, server 5000 ms ahead, replies at the midpoint
        const serverAt = clockMs - 20 + 5000;
        return reply(req, { receiveMs: serverAt, transmitMs: serverAt, stratum: 2 });
      },
    ]);
    const start = clockMs;
    const r = await sntpSync(udp, clock, { host: 'pool.ntp.org', port: 123, random: () => new Uint8Array([9, 9]) });
    expect(r.offsetMs).toBe(5000);
    expect(r.roundTripMs).toBe(40);
    expect(r.stratum).toBe(2);
    expect(r.serverTimeMs).toBe(start + 40 + 5000);
    expect(clockMs).toBe(start + 40);
    expect(udp.calls[0]?.[46]).toBe(9);
  });

  it('sntp: retries after timeouts and succeeds on the third attempt', async () => {
    const udp = scriptedUdp([timeout, timeout, async (req) => reply(req, { receiveMs: clockMs, transmitMs: clockMs })]);
    const r = await sntpSync(udp, clock, { host: 'pool.ntp.org', port: 123 });
    expect(udp.calls).toHaveLength(3);
    expect(Math.abs(r.offsetMs)).toBeLessThanOrEqual(1);
    // every attempt carries its own transmit timestamp bytes
    expect(Buffer.from(udp.calls[0] as Uint8Array).equals(Buffer.from(udp.calls[2] as Uint8Array))).toBe(false);
  });

  it('sntp: no reply after all attempts is ETIME naming server, attempts and cause', async () => {
    const udp = scriptedUdp([]);
    const e = await sntpSync(udp, clock, { host: 'pool.ntp.org', port: 123 }).then(unexpected, (x: unknown) => x as DormouseError);
    expect(e).toBeInstanceOf(DormouseError);
    expect(e.code).toBe('ETIME');
    expect(e.message).toBe('no SNTP reply from pool.ntp.org:123 after 3 attempts (ETIMEOUT)');
    expect(udp.calls).toHaveLength(3);
  });

  it('sntp: retries: 0 makes one attempt; a DNS failure is named', async () => {
    const udp = scriptedUdp([() => Promise.reject(Object.assign(new Error('dns'), { code: 'EDNS' }))]);
    const e = await sntpSync(udp, clock, { host: 'nowhere.invalid', port: 123, retries: 0 }).then(unexpected, (x: unknown) => x as DormouseError);
    expect(e.message).toBe('no SNTP reply from nowhere.invalid:123 after 1 attempt (EDNS)');
    expect(udp.calls).toHaveLength(1);
  });

  it('sntp: a kiss-o\'-death stops at once (no retries), naming the code', async () => {
    const udp = scriptedUdp([async (req) => reply(req, { stratum: 0, refId: 'DENY' }), async (req) => reply(req)]);
    const e = await sntpSync(udp, clock, { host: '1.2.3.4', port: 123 }).then(unexpected, (x: unknown) => x as DormouseError);
    expect(e.code).toBe('ETIME');
    expect(e.message).toBe("SNTP reply from 1.2.3.4:123: kiss-o'-death DENY (stratum 0): the server refuses to serve time");
    expect(udp.calls).toHaveLength(1);
  });

  it('sntp: a bogus reply is retried; the last bogus reply is the error', async () => {
    const bad = async (req: Uint8Array): Promise<Uint8Array> => reply(req, { mode: 3 });
    const ok = await sntpSync(scriptedUdp([bad, async (req) => reply(req, { receiveMs: clockMs, transmitMs: clockMs })]), clock, { host: '1.2.3.4', port: 123 });
    expect(ok.stratum).toBe(2);
    const e = await sntpSync(scriptedUdp([bad, bad, bad]), clock, { host: '1.2.3.4', port: 123 }).then(unexpected, (x: unknown) => x as DormouseError);
    expect(e.message).toBe('SNTP reply from 1.2.3.4:123: expected server mode 4, got 3');
  });
});

describe('sntp client over real UDP (sim udp)', () => {
  const sockets: Socket[] = [];
  afterEach(() => {
    while (sockets.length) sockets.pop()?.close();
  });

  async function fakeServer(answer: (req: Buffer, n: number) => Uint8Array[]): Promise<number> {
    const s = createSocket('udp4');
    sockets.push(s);
    let n = 0;
    s.on('message', (msg, rinfo) => {
      n += 1;
      for (const out of answer(msg, n)) s.send(out, rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    return s.address().port;
  }

  it('sntp: a server that first sends bogus replies, then a good one, still syncs', async () => {
    const port = await fakeServer((req, n) => {
      const r = new Uint8Array(req);
      if (n === 1) return [reply(r, { mode: 3 })]; // wrong mode
      if (n === 2) return [reply(r, { originate: new Uint8Array(8).fill(7) })]; // does not echo us
      return [reply(r, { receiveMs: Date.now() + 2000, transmitMs: Date.now() + 2000, stratum: 4 })];
    });
    const r = await sntpSync(createSimUdp(), { now: () => Date.now() }, { host: '127.0.0.1', port, timeoutMs: 500 });
    expect(r.stratum).toBe(4);
    expect(Math.abs(r.offsetMs - 2000)).toBeLessThan(100);
  });

  it('sntp: a server that answers garbage every time fails with what was wrong', async () => {
    const port = await fakeServer(() => [new Uint8Array([1, 2, 3])]);
    const e = await sntpSync(createSimUdp(), { now: () => Date.now() }, { host: '127.0.0.1', port, timeoutMs: 300 }).then(unexpected, (x: unknown) => x as DormouseError);
    expect(e.code).toBe('ETIME');
    expect(e.message).toBe(`SNTP reply from 127.0.0.1:${port}: expected at least 48 bytes, got 3`);
  });

  it('sntp: a silent server is ETIME after 3 attempts of timeoutMs each', async () => {
    const port = await fakeServer(() => []);
    const t0 = Date.now();
    const e = await sntpSync(createSimUdp(), { now: () => Date.now() }, { host: '127.0.0.1', port, timeoutMs: 150 }).then(unexpected, (x: unknown) => x as DormouseError);
    expect(e.message).toBe(`no SNTP reply from 127.0.0.1:${port} after 3 attempts (ETIMEOUT)`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(440);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
