/**
 * The local cloud fed fuzzed requests over real TLS: random JSON-ish and invalid-UTF-8 bodies
 * (correctly signed, so they reach the shadow service), random and huge header values,
 * duplicate headers, bogus Authorization and X-Amz-Date formats. Every answer is a 2xx or an
 * AWS-shaped 4xx (never a 5xx, never a hang, never a crash), and the cloud still serves a normal
 * request afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as https from 'node:https';
import type { RunningCloud } from '../../cloud/index.js';
import { nodeCrypto } from '../../hal/sim/crypto.js';
import { SigV4Signer } from '../../src/sigv4.js';
import { EXAMPLE_CREDENTIALS, rawTls, readUntilClose, send, shadowApi, startTestCloud } from './support/cloud-fixture.js';
import type { TestResponse } from './support/cloud-fixture.js';

let cloud: RunningCloud;
let agent: https.Agent;
const logs: string[] = [];
const signer = new SigV4Signer({ crypto: nodeCrypto(), region: 'us-east-1', service: 'iotdata', credentials: EXAMPLE_CREDENTIALS });

beforeAll(async () => {
  cloud = await startTestCloud({ log: (l) => logs.push(l), logRequests: true, headersTimeoutMs: 2000, requestTimeoutMs: 4000 });
  agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
});
afterAll(async () => {
  agent.destroy();
  await cloud.close();
});

/** A response of the request handler (it has a request id) must be AWS-shaped. */
function expectAwsShaped(r: { status: number; headers: Record<string, string | string[] | undefined>; text: string }): void {
  expect(r.status, r.text).toBeGreaterThanOrEqual(200);
  expect(r.status, r.text).toBeLessThan(500);
  expect(Number.isFinite(Date.parse(String(r.headers.date)))).toBe(true);
  if (r.status >= 400 && r.headers['x-amzn-requestid'] !== undefined) {
    expect(String(r.headers['x-amzn-errortype'])).toMatch(/^[A-Za-z]+Exception:$/);
    const body = JSON.parse(r.text) as { message?: unknown };
    expect(typeof body.message).toBe('string');
  }
}

async function stillServes(): Promise<void> {
  const r = await shadowApi(cloud).update('alive', { state: { reported: { t: Date.now() } } });
  expect(r.status).toBe(200);
}

function noInternalErrors(): void {
  expect(logs.filter((l) => l.startsWith('internal error') || / 5\d\d /.test(l))).toEqual([]);
}

// Mostly valid names, so most bodies reach the shadow service.
const thingArb = fc.oneof(
  { arbitrary: fc.constantFrom('fz', 'fz-2', 'a:b'), weight: 8 },
  { arbitrary: fc.constantFrom('$x', '..', '%2e%2e', 'a%00b', '', 'x'.repeat(200)), weight: 1 },
  { arbitrary: fc.string({ maxLength: 20 }), weight: 1 },
);

const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 8 }).map((v) => JSON.stringify(v)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ state: { desired: v, reported: v } })),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ state: v, version: v, clientToken: v })),
  fc.constantFrom(
    '{"state":{"desired":{"__proto__":{"polluted":1}}}}',
    '{"state":{"reported":{"constructor":{"prototype":{"polluted":1}}}}}',
    '{"__proto__":{"state":{}}}',
    '{"state":{"desired":[1,2]}}',
    '{"state":[]}',
    '{"state":{"delta":{}}}',
    '{"state":{"desired":{"a":[null]}}}',
    `{"state":{"desired":${'{"a":'.repeat(60)}1${'}'.repeat(60)}}}`,
    `{"state":{"desired":{"s":"${'x'.repeat(20000)}"}}}`,
    '{"state":{"desired":{"n":1e999}}}',
    '{"state":{"desired":{}}, "version": -1}',
    '{"state":null}',
    '{"state":{"desired":{"a":1}}',
    '',
    'null',
  ),
  fc.string({ maxLength: 300 }),
);
const bodyArb = fc.oneof(
  jsonish.map((s) => Buffer.from(s, 'utf8')),
  fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
  // Invalid UTF-8 inside otherwise valid JSON.
  fc.constantFrom(Buffer.from([0x7b, 0x22, 0x73, 0x74, 0x61, 0x74, 0x65, 0x22, 0x3a, 0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d, 0x7d]), Buffer.from('{"state":{"reported":{"a":"\xc3\x28"}}}', 'latin1')),
);

describe('fuzzed bodies (signed)', () => {
  it('fuzz: random documents, bytes and invalid UTF-8 get 200 or an AWS-shaped 4xx, never a 5xx, and pollute nothing', async () => {
    const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('POST', 'POST', 'POST', 'POST', 'GET', 'DELETE', 'PUT'), thingArb, fc.option(fc.constantFrom('cfg', '$s', 'a b'), { nil: undefined, freq: 3 }), bodyArb, async (method, thing, shadow, body) => {
        const p = `/things/${encodeURIComponent(thing)}/shadow${shadow === undefined ? '' : `?name=${encodeURIComponent(shadow)}`}`;
        const r: TestResponse = await send(cloud, { method, path: p, body }, agent);
        expectAwsShaped(r);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 250 },
    );
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore);
    noInternalErrors();
    await stillServes();
  });

  it('fuzz: random topics and payloads for publish get 200 or an AWS-shaped 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), fc.option(fc.string({ maxLength: 3 }), { nil: undefined }), fc.uint8Array({ maxLength: 300 }), async (topic, qos, payload) => {
        const p = `/topics/${encodeURIComponent(topic)}${qos === undefined ? '' : `?qos=${encodeURIComponent(qos)}`}`;
        expectAwsShaped(await send(cloud, { method: 'POST', path: p, body: Buffer.from(payload) }, agent));
      }),
      { numRuns: 80 },
    );
    noInternalErrors();
  });
});

// ------------------------------------------------------------------------------------------
// Headers, over raw TLS so duplicates, bytes and formats are exactly as generated.

function amzDate(t: number): string {
  return new Date(t).toISOString().replace(/[-:]/g, '').replace(/\.\d\d\dZ$/, 'Z');
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  closed: boolean;
}

async function raw(head: string, body: Buffer = Buffer.alloc(0)): Promise<RawResponse> {
  const s = await rawTls(cloud);
  s.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  const got = await readUntilClose(s, 6000);
  const [statusLine = '', ...rest] = got.text.split('\r\n\r\n')[0]?.split('\r\n') ?? [];
  const headers: Record<string, string> = {};
  for (const l of rest) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, text: got.text.slice(got.text.indexOf('\r\n\r\n') + 4), closed: got.closed };
}

const valueArb = fc.oneof(
  { arbitrary: fc.string({ maxLength: 60, unit: fc.constantFrom(...'abcXYZ019 =,/;:-_.+*?%$"\'') }), weight: 6 },
  { arbitrary: fc.string({ maxLength: 60 }), weight: 2 },
  { arbitrary: fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b).toString('latin1')), weight: 1 },
  { arbitrary: fc.integer({ min: 1000, max: 12000 }).map((n) => 'v'.repeat(n)), weight: 1 },
);
const authArb = fc.oneof(
  // Well formed, so the date, scope and key checks behind the format check are reached too.
  fc.tuple(fc.constantFrom('20250101', '19700101', '99991231', 'abcdefgh'), fc.constantFrom('iotdata', 'iotdevicegateway', 's3', ''), fc.constantFrom('AKIDEXAMPLE', 'AKIDUNKNOWN')).map(
    ([day, svc, id]) => `AWS4-HMAC-SHA256 Credential=${id}/${day}/us-east-1/${svc}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
  ),
  valueArb,
  fc.constantFrom(
    'AWS4-HMAC-SHA256',
    'AWS4-HMAC-SHA256 ',
    'AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=',
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE, SignedHeaders=host, Signature=00',
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/iotdata/aws4_request, SignedHeaders=, Signature=00',
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/iotdata/aws4_request/extra/parts, SignedHeaders=host;;;, Signature=zz',
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/../../etc/passwd, SignedHeaders=host, Signature=1',
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/iotdata/aws4_request, Credential=x, SignedHeaders=host, Signature=1, Signature=2',
    'Basic QUtJREVYQU1QTEU6c2VjcmV0',
    'Bearer x.y.z',
    'AWS AKIDEXAMPLE:signature',
  ),
  fc.tuple(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 })).map(
    ([c, h, s]) => `AWS4-HMAC-SHA256 Credential=${c}, SignedHeaders=${h}, Signature=${s}`,
  ),
);
const dateArb = fc.oneof(
  valueArb,
  fc.constantFrom('20250101T000000Z', '2025-01-01T00:00:00Z', '99999999T999999Z', '00000000T000000Z', '20251301T250000Z', '1', '', 'Thu, 01 Jan 1970 00:00:00 GMT'),
  fc.integer({ min: -1e12, max: 1e13 }).map((t) => amzDate(Math.max(-8.64e15, Math.min(8.64e15, t)))),
);

describe('fuzzed headers (raw TLS)', () => {
  it('fuzz: bogus Authorization and X-Amz-Date formats, huge and duplicate headers get a 4xx, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          auth: fc.option(fc.array(authArb, { minLength: 1, maxLength: 3 }), { nil: undefined }),
          date: fc.option(fc.array(dateArb, { minLength: 1, maxLength: 2 }), { nil: undefined }),
          hosts: fc.oneof({ arbitrary: fc.constant(['127.0.0.1']), weight: 4 }, { arbitrary: fc.array(valueArb, { maxLength: 3 }), weight: 1 }),
          extra: fc.array(fc.tuple(fc.constantFrom('x-amz-security-token', 'content-type', 'x-amz-content-sha256', 'expect', 'x-fuzz', 'content-encoding', 'date'), valueArb), { maxLength: 3 }),
          method: fc.constantFrom('GET', 'POST', 'DELETE', 'PATCH', 'OPTIONS'),
        }),
        async (h) => {
          const lines = [`${h.method} /things/fz/shadow HTTP/1.1`];
          for (const v of h.hosts) lines.push(`Host: ${v}`);
          for (const v of h.auth ?? []) lines.push(`Authorization: ${v}`);
          for (const v of h.date ?? []) lines.push(`X-Amz-Date: ${v}`);
          for (const [k, v] of h.extra) lines.push(`${k}: ${v}`);
          lines.push('Content-Length: 2', 'Connection: close');
          const r = await raw(`${lines.join('\r\n')}\r\n\r\n`, Buffer.from('{}'));
          expect(r.closed).toBe(true);
          expect(r.status, r.text).toBeGreaterThanOrEqual(400);
          expect(r.status, r.text).toBeLessThan(500);
          expect(Number.isFinite(Date.parse(r.headers.date ?? ''))).toBe(true);
          if (r.headers['x-amzn-requestid'] !== undefined) {
            expect(r.headers['x-amzn-errortype']).toMatch(/^[A-Za-z]+Exception:$/);
            expect(typeof (JSON.parse(r.text) as { message?: unknown }).message).toBe('string');
          }
        },
      ),
      { numRuns: 150 },
    );
    noInternalErrors();
    await stillServes();
  });

  it('fuzz: a correctly signed request with a mangled signed header, or a duplicate of one, is a 403', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('host', 'x-amz-date'), fc.constantFrom('replace', 'duplicate', 'case'), valueArb, async (which, how, v) => {
        const host = `127.0.0.1:${cloud.port}`;
        const signed = signer.sign({ method: 'GET', host, path: '/things/fz/shadow' }, { date: Date.now() }).headers;
        const hdrs: [string, string][] = Object.keys(signed).map((k) => [k, signed[k] as string]);
        const i = hdrs.findIndex(([k]) => k.toLowerCase() === which);
        const [k0, v0] = hdrs[i] as [string, string];
        if (how === 'replace') hdrs[i] = [k0, v.trim() === v0 ? `${v0}x` : v];
        else if (how === 'duplicate') hdrs.push([k0, v]);
        else hdrs[i] = [k0, v0.toLowerCase() === v0 ? `${v0}X` : v0.toLowerCase()];
        const r = await raw(`GET /things/fz/shadow HTTP/1.1\r\n${hdrs.map(([k, x]) => `${k}: ${x}`).join('\r\n')}\r\nConnection: close\r\n\r\n`);
        expect(r.status, r.text).toBeGreaterThanOrEqual(400);
        expect(r.status, r.text).toBeLessThan(500);
        if (r.headers['x-amzn-requestid'] !== undefined) expect(r.status).toBe(403);
      }),
      { numRuns: 60 },
    );
    noInternalErrors();
    await stillServes();
  });

  it('fuzz: a request without Host, even one signed over an empty host, is refused', async () => {
    const signed = signer.sign({ method: 'GET', host: '', path: '/things/fz/shadow' }, { date: Date.now() }).headers;
    const lines = Object.keys(signed).filter((k) => k.toLowerCase() !== 'host').map((k) => `${k}: ${signed[k] as string}`);
    const r = await raw(`GET /things/fz/shadow HTTP/1.0\r\n${lines.join('\r\n')}\r\n\r\n`);
    expect(r.status).toBe(403);
    expect(JSON.parse(r.text).message).toMatch(/no 'Host' header/);
    const http11 = await raw('GET /things/fz/shadow HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(http11.status).toBe(400);
  });

  it('fuzz: log lines escape control characters a client chose (no forged lines, no terminal escapes)', async () => {
    logs.length = 0;
    const r = await raw(`GET /topics/a?qos=%1B%5B31m%0Aforged HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    expect(r.status).toBe(403);
    const signed = await send(cloud, { method: 'POST', path: `/topics/${encodeURIComponent('x\u001b[2J\nGET /forged 200')}`, body: '{}' });
    expect(signed.status).toBe(200);
    await send(cloud, { method: 'POST', path: `/things/${encodeURIComponent('bad\u001b[31m\nname')}/shadow`, body: '{}' });
    const text = logs.join('\n');
    expect(text).not.toContain('\u001b');
    expect(logs.some((l) => l.startsWith('GET /forged'))).toBe(false);
    expect(text).toContain('\\u001b');
  });
});
