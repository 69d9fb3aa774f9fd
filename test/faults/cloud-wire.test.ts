/**
 * The cloud's faults on the wire, read byte by byte over TLS: AWS-shaped error answers, a skewed
 * `Date`, a Content-Length larger than what is sent before the close, headers then silence, a
 * reset, garbage; a cloud with a plan of its own strikes the things its rules name; and a cloud
 * without fault injection ignores directives.
 */
import { rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloud } from '../../cloud/index.js';
import type { CloudOptions, RunningCloud } from '../../cloud/index.js';
import { EXAMPLE_ENV } from './support.js';

const clouds: RunningCloud[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const c of clouds) await c.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function cloudWith(o: CloudOptions): Promise<RunningCloud> {
  const dir = mkdtempSync(join(tmpdir(), 'dormouse-wire-'));
  dirs.push(dir);
  const c = await startCloud({ dataDir: dir, port: 0, ntpPort: false, env: EXAMPLE_ENV, throttle: false, ...o });
  clouds.push(c);
  return c;
}

/** What came back for one raw request: the bytes, how the connection ended, after how long. */
interface Raw {
  readonly text: string;
  readonly ended: 'end' | 'reset' | 'open';
  readonly ms: number;
}

/** Send `GET path` with `headers`; read until the server ends the connection or `waitMs` pass. */
function raw(cloud: RunningCloud, path: string, headers: Record<string, string>, waitMs = 1500): Promise<Raw> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const chunks: Buffer[] = [];
    const s = connect({ host: '127.0.0.1', port: cloud.port, ca: cloud.caPem }, () => {
      const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${cloud.port}\r\n${lines}\r\n`);
    });
    let done = false;
    const finish = (ended: Raw['ended']): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), ended, ms: Date.now() - t0 });
    };
    const timer = setTimeout(() => finish('open'), waitMs);
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      // A whole answer on a kept-alive connection: no need to wait for a close that will not come.
      const text = Buffer.concat(chunks).toString('latin1');
      const at = text.indexOf('\r\n\r\n');
      const len = /\r\ncontent-length: (\d+)/i.exec(text.substring(0, at))?.[1];
      if (at >= 0 && len !== undefined && /^HTTP\/1\.1 \d{3} /.test(text) && Buffer.byteLength(text, 'latin1') - at - 4 >= Number(len)) finish('open');
    });
    s.on('end', () => finish('end'));
    s.on('error', (e: NodeJS.ErrnoException) => finish(e.code === 'ECONNRESET' ? 'reset' : 'end'));
    s.on('close', () => finish('end'));
  });
}

const FAULT = 'x-dormouse-fault';

function split(text: string): { head: string; body: string; status: number; header: (n: string) => string | undefined } {
  const at = text.indexOf('\r\n\r\n');
  const head = at < 0 ? text : text.substring(0, at);
  const body = at < 0 ? '' : text.substring(at + 4);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  const header = (n: string): string | undefined => new RegExp(`\\r\\n${n}: ([^\\r]*)`, 'i').exec(head)?.[1];
  return { head, body, status, header };
}

let directed: RunningCloud;
beforeAll(async () => {
  directed = await cloudWith({ faults: { directives: true } });
});

describe('cloud faults on the wire', () => {
  it.each([
    ['http-429', 429, 'ThrottlingException:', 'Too Many Requests'],
    ['http-500', 500, 'InternalFailureException:', 'Internal service failure'],
    ['http-503', 503, 'ServiceUnavailableException:', 'Service Unavailable'],
  ])('%s: AWS error format (status, x-amzn-ErrorType, {"code","message"} body, Date, request id), keep-alive', async (kind, status, type, message) => {
    const c = directed;
    const r = split((await raw(c, '/things/t1/shadow', { [FAULT]: kind }, 400)).text);
    expect(r.status).toBe(status);
    expect(r.header('x-amzn-ErrorType')).toBe(type);
    expect(JSON.parse(r.body)).toEqual({ code: status, message });
    expect(r.header('Content-Length')).toBe(String(Buffer.byteLength(r.body)));
    expect(r.header('x-amzn-RequestId')).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(Date.parse(r.header('Date') ?? '') - Date.now())).toBeLessThan(3000);
  });

  it("server-skew: the Date says the server's skewed time, and an unsigned request is refused as before", async () => {
    const c = directed;
    const r = split((await raw(c, '/things/t1/shadow', { [FAULT]: 'server-skew; skewMs=3600000' }, 400)).text);
    expect(r.status).toBe(403);
    expect(Date.parse(r.header('Date') ?? '') - Date.now()).toBeGreaterThan(3600_000 - 3000);
  });

  it('truncated: Content-Length promises the whole body, half comes, then the connection closes', async () => {
    const c = directed;
    const got = await raw(c, '/things/t1/shadow', { [FAULT]: 'truncated' });
    expect(got.ended).toBe('end');
    const r = split(got.text);
    expect(r.status).toBe(403);
    const promised = Number(r.header('Content-Length'));
    expect(Buffer.byteLength(r.body, 'latin1')).toBe(Math.floor(promised / 2));
  });

  it('never-ends: headers and part of the body, then silence with the connection open', async () => {
    const c = directed;
    const got = await raw(c, '/things/t1/shadow', { [FAULT]: 'never-ends' }, 800);
    expect(got.ended).toBe('open');
    const r = split(got.text);
    expect(Buffer.byteLength(r.body, 'latin1')).toBeLessThan(Number(r.header('Content-Length')));
  });

  it('conn-reset: part of the answer, then a TCP reset', async () => {
    const c = directed;
    const got = await raw(c, '/things/t1/shadow', { [FAULT]: 'conn-reset' });
    expect(got.ended).toBe('reset');
    expect(got.text).toMatch(/^HTTP\/1\.1 403 /);
  });

  it.each([
    ['binary', (t: string) => expect(t.startsWith('HTTP/')).toBe(false)],
    ['bad-status', (t: string) => expect(t).toMatch(/^HTTP\/1\.1 2OO OK\r\n/)],
    ['bad-header', (t: string) => expect(t).toMatch(/\r\nContent-Length \d+\r\n/)],
    ['bad-chunk', (t: string) => expect(t).toMatch(/Transfer-Encoding: chunked\r\n\r\nZZ\r\n/)],
    ['not-json', (t: string) => expect(t).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n<html>/)],
  ] as const)('garbage %s', async (variant, check) => {
    const c = directed;
    const got = await raw(c, '/things/t1/shadow', { [FAULT]: `garbage; variant=${variant}; seed=3` });
    expect(got.ended).not.toBe('reset');
    check(got.text);
  });

  it('slow-response: the answer comes after the delay', async () => {
    const c = directed;
    const got = await raw(c, '/things/t1/shadow', { [FAULT]: 'slow-response; delayMs=400' }, 2000);
    expect(split(got.text).status).toBe(403);
    expect(got.ms).toBeGreaterThanOrEqual(390);
  });

  it('a cloud with a plan of its own strikes the things its rules name, per request; directives from devices win', async () => {
    const c = await cloudWith({ faults: { directives: true, plan: { seed: 1, rules: [{ kind: 'http-500', probability: 1, thing: 'victim' }] } } });
    expect(split((await raw(c, '/things/victim/shadow', {}, 400)).text).status).toBe(500);
    expect(split((await raw(c, '/things/bystander/shadow', {}, 400)).text).status).toBe(403);
    expect(split((await raw(c, '/things/victim/shadow', { [FAULT]: 'none' }, 400)).text).status).toBe(403);
  });

  it('a cloud without fault injection ignores directives', async () => {
    const c = await cloudWith({});
    const r = split((await raw(c, '/things/t1/shadow', { [FAULT]: 'http-503' }, 400)).text);
    expect(r.status).toBe(403);
  });
});
