/**
 * The shadow client (`ShadowClient` over the simulator's HTTP client, real sockets) against a
 * server answering fuzzed bytes: random bytes, garbage status lines, truncated JSON, huge
 * headers, wrong Content-Length, chunked garbage, error statuses with junk bodies, silence.
 * Every call settles (resolves, or rejects with an Error whose `code` is one of dormouse's
 * codes) within its timeout; none hangs, none throws synchronously.
 */
import fc from 'fast-check';
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimHttp } from '../../hal/sim/http.js';
import { nodeCrypto } from '../../hal/sim/crypto.js';
import { DormouseError, isErrorCode } from '../../src/errors.js';
import { ShadowClient } from '../../src/shadow.js';
import { SigV4Signer } from '../../src/sigv4.js';

/** What the server does with the next request. */
interface Script {
  /** Bytes to write, in pieces. */
  readonly parts: readonly Buffer[];
  /** Close after writing (else keep the connection open, silent). */
  readonly close: boolean;
}

let next: Script = { parts: [], close: true };
let port = 0;
const server = net.createServer((sock) => {
  sock.on('error', () => undefined);
  sock.once('data', () => {
    const script = next;
    for (const p of script.parts) sock.write(p);
    if (script.close) sock.end();
  });
});
const sockets = new Set<net.Socket>();
server.on('connection', (s) => {
  sockets.add(s);
  s.on('close', () => sockets.delete(s));
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const TIMEOUT_MS = 80;
/** Mostly close after the answer: a silent server costs a whole timeout. */
const closeArb = fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 });

const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((x) => Buffer.from(x));
const text = (max: number) => fc.string({ maxLength: max }).map((s) => Buffer.from(s, 'utf8'));
const statusArb = fc.oneof(fc.constantFrom(200, 204, 304, 400, 403, 404, 409, 413, 429, 500, 503, 100, 101, 302, 999), fc.integer({ min: 0, max: 999 }));
const headerArb = fc.oneof(
  fc.tuple(fc.constantFrom('Content-Type', 'Date', 'x-amzn-ErrorType', 'x-amzn-RequestId', 'Connection', 'X-Junk', 'Content-Length', 'Transfer-Encoding'), fc.string({ maxLength: 40 })).map(([k, v]) => `${k}: ${v.replace(/[\r\n]/g, '')}`),
  fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, '')),
);
const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.constantFrom('{"state":{"desired":{"sleep":30}},"version":1}', '{"state":[]}', '{"state":{"desired":[1]}}', '{"message":"Forbidden"}', '{"__proto__":{"polluted":1},"state":{}}', '{"results":5}', '{"version":"NaN"}'),
).chain((j) => fc.nat(j.length).map((cut) => j.substring(0, cut === 0 ? j.length : cut)));

const scriptArb: fc.Arbitrary<Script> = fc.oneof(
  // Random bytes, then close or silence.
  fc.record({ parts: fc.array(bytes(300), { maxLength: 3 }), close: closeArb }),
  // A plausible head with junk headers and a (maybe truncated) JSON body, right or wrong length.
  fc.tuple(statusArb, fc.array(headerArb, { maxLength: 5 }), jsonish, fc.integer({ min: -20, max: 20 }), fc.boolean(), closeArb).map(([status, headers, body, delta, withLength, close]) => {
    const len = Math.max(0, Buffer.byteLength(body) + delta);
    const head = `HTTP/1.1 ${status} X\r\n${headers.map((h) => `${h}\r\n`).join('')}${withLength ? `Content-Length: ${len}\r\n` : ''}\r\n`;
    return { parts: [b(head), Buffer.from(body)], close };
  }),
  // Chunked garbage.
  fc.tuple(fc.array(fc.oneof(fc.string({ maxLength: 10, unit: fc.constantFrom(...'0123456789abcdefABCDEF') }), fc.string({ maxLength: 10 })), { maxLength: 4 }), jsonish, closeArb).map(([sizes, body, close]) => ({
    parts: [b('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'), b(sizes.map((s) => `${s}\r\n${body}\r\n`).join('')), b('0\r\n')],
    close,
  })),
  // Huge headers, a huge declared length, an endless 1xx, nothing at all.
  fc.constantFrom<Script>(
    { parts: [b(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(200 * 1024)}\r\n\r\n{}`)], close: true },
    { parts: [b('HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n{}')], close: true },
    { parts: [b('HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n{}')], close: true },
    { parts: [b('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n{}')], close: true },
    { parts: [b('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n{}')], close: true },
    { parts: [b('HTTP/1.1 100 Continue\r\n\r\n')], close: false },
    { parts: [b('HTTP/1.1 100 Continue\r\n\r\n'.repeat(2000))], close: true },
    { parts: [b('HTTP/1.0 200 OK\r\n\r\n{"state":{}}')], close: true },
    { parts: [b('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}GARBAGE-AFTER')], close: false },
    { parts: [b('HTTP/1.1 403 Forbidden\r\nDate: not a date\r\nx-amzn-ErrorType: :::\r\nContent-Length: 3\r\n\r\n\u0000\u0001\u0002')], close: true },
    { parts: [b('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n\u0000\u00ff\u00fe{}\u0000\u0001\u0002\u0003')], close: true },
    { parts: [], close: true },
    { parts: [], close: false },
  ),
  fc.record({ parts: fc.array(text(200), { maxLength: 2 }), close: closeArb }),
);

const signer = new SigV4Signer({ crypto: nodeCrypto(), region: 'us-east-1', service: 'iotdata', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } });

type Outcome = { kind: 'resolved' } | { kind: 'rejected'; code: unknown; dormouse: boolean; message: string } | { kind: 'threw' } | { kind: 'hung' };

async function settle(p: () => Promise<unknown>): Promise<Outcome> {
  let promise: Promise<unknown>;
  try {
    promise = p();
  } catch {
    return { kind: 'threw' };
  }
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<Outcome>((r) => (timer = setTimeout(() => r({ kind: 'hung' }), TIMEOUT_MS + 2000)));
  const done = promise.then(
    (): Outcome => ({ kind: 'resolved' }),
    (e: unknown): Outcome => ({ kind: 'rejected', code: (e as { code?: unknown }).code, dormouse: e instanceof DormouseError, message: String((e as Error).message) }),
  );
  const out = await Promise.race([done, hung]);
  clearTimeout(timer);
  return out;
}

describe('shadow client: fuzzed responses', () => {
  it('fuzz: every call settles within its timeout, with a known error code when it fails', async () => {
    const codes = new Map<string, number>();
    let halPassThrough = 0;
    await fc.assert(
      fc.asyncProperty(scriptArb, fc.constantFrom('get', 'update', 'delete', 'list', 'publish'), async (script, op) => {
        next = script;
        const http = createSimHttp({ maxBodyBytes: 64 * 1024, maxHeaderBytes: 16 * 1024 });
        const client = new ShadowClient({ http, endpoint: { scheme: 'http', host: '127.0.0.1', port }, auth: { kind: 'sigv4', signer }, clock: { now: Date.now }, timeoutMs: TIMEOUT_MS });
        const call = (): Promise<unknown> =>
          op === 'get' ? client.get('fz') : op === 'update' ? client.update('fz', { state: { reported: { a: 1 } } }) : op === 'delete' ? client.delete('fz', 'cfg') : op === 'list' ? client.listNamed('fz', { pageSize: 5 }) : client.publish('dt/fz', '{}', 1);
        const out = await settle(call);
        http.close();
        expect(out.kind).not.toBe('hung');
        expect(out.kind).not.toBe('threw');
        if (out.kind === 'rejected') {
          expect(isErrorCode(out.code), `${out.message} (code ${String(out.code)})`).toBe(true);
          expect(out.message.length).toBeLessThan(2000);
          codes.set(String(out.code), (codes.get(String(out.code)) ?? 0) + 1);
          if (!out.dormouse) halPassThrough++;
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 200 },
    );
    // The fuzzing reached the parser, the shape checks and the error mapping, not one path only.
    expect(codes.get('EHTTP') ?? 0).toBeGreaterThan(0);
    expect((codes.get('EBADDOC') ?? 0) + (codes.get('ECLOUD') ?? 0) + (codes.get('EAUTH') ?? 0)).toBeGreaterThan(0);
    expect(codes.get('ETIMEOUT') ?? 0).toBeGreaterThan(0);
    // HAL failures (EHTTP, ECONN, ETIMEOUT) reach the caller as DormouseError too, with their code.
    expect(halPassThrough).toBe(0);
  }, 60_000);
});
