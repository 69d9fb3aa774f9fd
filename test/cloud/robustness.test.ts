/**
 * Bad input never takes the local cloud down: garbage bytes, a 10 MB body, a slow client,
 * invalid UTF-8, deep nesting. Each gets AWS's error response or a closed connection, and a
 * normal request succeeds afterwards.
 */
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCloud } from '../../cloud/index.js';
import { rawTls, readUntilClose, send, shadowApi, startTestCloud } from './support/cloud-fixture.js';

let cloud: RunningCloud;
let api: ReturnType<typeof shadowApi>;

beforeAll(async () => {
  cloud = await startTestCloud({ headersTimeoutMs: 1000, requestTimeoutMs: 2000 });
  api = shadowApi(cloud);
});
afterAll(async () => {
  await cloud.close();
});

async function stillServes(): Promise<void> {
  const r = await api.update('alive', { state: { reported: { t: Date.now() } } });
  expect(r.status).toBe(200);
}

describe('bad input', () => {
  it('robust: garbage bytes over TLS get a 400 and a closed connection', async () => {
    const s = await rawTls(cloud);
    s.write(randomBytes(4096));
    const got = await readUntilClose(s, 5000);
    expect(got.closed).toBe(true);
    expect(got.text.startsWith('HTTP/1.1 400 Bad Request')).toBe(true);
    await stillServes();
  });

  it('robust: bytes that are not TLS at all to the HTTPS port are dropped', async () => {
    const s = net.connect(cloud.port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const got = await readUntilClose(s, 5000);
    expect(got.closed).toBe(true);
    await stillServes();
  });

  it('robust: a declared 10 MB body is refused with 413 before it is read', async () => {
    const s = await rawTls(cloud);
    s.write(`POST /things/big/shadow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n`);
    s.write(Buffer.alloc(64 * 1024, 0x61));
    const got = await readUntilClose(s, 5000);
    expect(got.text.split('\r\n')[0]).toBe('HTTP/1.1 413 Payload Too Large');
    expect(got.text).toContain('x-amzn-ErrorType: RequestEntityTooLargeException:');
    expect(got.text).toContain('The payload exceeds the maximum size allowed');
    expect(got.closed).toBe(true);
    await stillServes();
  });

  it('robust: a 10 MB chunked body is cut off at the limit with 413', async () => {
    const s = await rawTls(cloud);
    s.write('POST /things/big/shadow HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    let sent = 0;
    const pump = (): void => {
      while (sent < 10 && !s.destroyed) {
        sent++;
        if (!s.write(`${chunk.length.toString(16)}\r\n`) || !s.write(chunk) || !s.write('\r\n')) {
          s.once('drain', pump);
          return;
        }
      }
    };
    s.on('error', () => undefined);
    pump();
    const got = await readUntilClose(s, 10000);
    expect(got.text.split('\r\n')[0]).toBe('HTTP/1.1 413 Payload Too Large');
    expect(got.closed).toBe(true);
    await stillServes();
  });

  it('robust: a signed 10 MB body through a normal client gets 413 (or a closed connection) and the server goes on', async () => {
    const r = await send(cloud, { method: 'POST', path: '/things/big/shadow', body: Buffer.alloc(10 * 1024 * 1024, 0x20) }).catch((e: Error) => e);
    if (!(r instanceof Error)) expect(r.status).toBe(413);
    await stillServes();
  });

  it('robust: a slow client (slowloris) is cut off by the headers timeout while others are served', async () => {
    const s = await rawTls(cloud);
    s.write('GET /things/slow/shadow HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const timer = setInterval(() => {
      if (!s.destroyed) s.write('X-Slow: 1\r\n');
    }, 200);
    const closing = readUntilClose(s, 8000);
    await stillServes();
    const got = await closing;
    clearInterval(timer);
    expect(got.closed).toBe(true);
    await stillServes();
  });

  it('robust: invalid UTF-8 is 415 and the server goes on', async () => {
    const r = await api.update('utf', Buffer.from([0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]));
    expect(r.status).toBe(415);
    await stillServes();
  });

  it('robust: 60,000 levels of nesting are a 400 nesting error, not a stack overflow', async () => {
    const deep = `{"state":{"desired":${'['.repeat(60000)}${']'.repeat(60000)}}}`;
    const r = await api.update('deep', deep);
    expect(r.status).toBe(400);
    expect(r.json.message).toBe('JSON contains too many levels of nesting; maximum is 6');
    const r2 = await api.update('deep', '{'.repeat(200_000));
    expect(r2.status).toBe(413); // over the 128 KB body cap before anything else
    const r3 = await api.update('deep', '['.repeat(120000));
    expect(r3.status).toBe(400);
    await stillServes();
  });

  it('robust: an HTTP/1.0 request is answered and the connection closed', async () => {
    const { SigV4Signer } = await import('../../src/sigv4.js');
    const { nodeCrypto } = await import('../../hal/sim/crypto.js');
    const { EXAMPLE_CREDENTIALS } = await import('./support/cloud-fixture.js');
    const signer = new SigV4Signer({ crypto: nodeCrypto(), region: 'us-east-1', service: 'iotdata', credentials: EXAMPLE_CREDENTIALS });
    const signed = signer.sign({ method: 'GET', host: `127.0.0.1:${cloud.port}`, path: '/things/alive/shadow' }, { date: Date.now() });
    await stillServes();
    const s = await rawTls(cloud);
    s.write([`GET /things/alive/shadow HTTP/1.0`, ...Object.entries(signed.headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n'));
    const got = await readUntilClose(s, 5000);
    expect(got.closed).toBe(true);
    expect(got.text.split('\r\n')[0]).toMatch(/^HTTP\/1\.[01] 200 OK$/);
    expect(got.text).toContain('"reported"');
  });

  it('robust: a failing store gives 500 InternalFailureException, not a crash', async () => {
    const c = await startTestCloud();
    try {
      const a = shadowApi(c);
      expect((await a.update('x', { state: { reported: { a: 1 } } })).status).toBe(200);
      c.store.close();
      const r = await a.update('x', { state: { reported: { a: 2 } } });
      expect(r.status).toBe(500);
      expect(r.headers['x-amzn-errortype']).toBe('InternalFailureException:');
      expect(r.json).toEqual({ code: 500, message: 'Internal service failure' });
      // Reads served from memory still work.
      expect((await a.get('x')).json.state.reported).toEqual({ a: 1 });
    } finally {
      await c.close();
    }
  });

  it('robust: many connections at once are all served', async () => {
    const rs = await Promise.all(Array.from({ length: 50 }, (_, i) => api.update(`many-${i % 5}`, { state: { reported: { i } } })));
    expect(rs.every((r) => r.status === 200)).toBe(true);
  });
});
