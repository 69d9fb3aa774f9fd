/**
 * The ESP32 HAL's HTTP client over the doubles of Espruino's `tls`/`net` (real Node sockets
 * underneath, Espruino's calling conventions on top), against raw test servers: keep-alive,
 * Content-Length in bytes, chunked and until-close bodies, synchronous connect failures, TLS
 * verification and SNI per firmware flavour, timeouts, memory check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EspruinoBoard, type FirmwareFlavour, type LiveWake } from '../support/espruino-doubles/index.js';
import { issueCert, localhostPki, makeCa, type TestCert } from '../support/forge-pki.js';
import { halTestBundle } from './bundles.js';
import { startRawServer, type RawServer } from './servers.js';

interface HttpLike {
  request(r: object): Promise<{ status: number; headers: Record<string, string>; body: string; bytesOut: number; bytesIn: number }>;
  close(): void;
}
interface HalLike {
  http: HttpLike;
  noteEngineError(e: unknown): void;
}

let code: string;
let pki: { ca: TestCert; server: TestCert };
let otherCa: TestCert;
let client: TestCert;
let server: RawServer;
let plain: RawServer;

beforeAll(async () => {
  code = await halTestBundle();
  pki = localhostPki();
  otherCa = makeCa('some other CA');
  client = issueCert(pki.ca, { commonName: 'thing-1', client: true });
  server = await startRawServer({ tls: { cert: pki.server.cert, key: pki.server.key, requestCertCa: pki.ca.cert } });
  plain = await startRawServer();
}, 120_000);

afterAll(async () => {
  await server?.close();
  await plain?.close();
});

function hal(flavour: FirmwareFlavour = 'dormouse', freeHeap = 110000): { wake: LiveWake; h: HalLike } {
  const board = new EspruinoBoard({ flavour, freeHeap });
  const wake = board.boot(code, { cause: 4 });
  const t = wake.global.halTest as { createEsp32Hal(): HalLike };
  const h = t.createEsp32Hal();
  // As firmware/esp32.ts does: Espruino's out-of-band errors go to the HAL.
  (wake.global.process as { on(e: string, f: (x: unknown) => void): void }).on('uncaughtException', (e) => h.noteEngineError(e));
  return { wake, h };
}

function req(path: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { method: 'GET', scheme: 'https', host: 'localhost', port: server.port, path, headers: {}, tls: { ca: pki.ca.cert }, timeoutMs: 5000, ...extra };
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
  throw new Error('expected a rejection');
}

describe('esp32 http', () => {
  it('keeps one TLS connection for a GET and a POST, and counts Content-Length in UTF-8 bytes', async () => {
    const { wake, h } = hal();
    const before = server.sni.length;
    const get = await h.http.request(req('/things/t1/shadow', { headers: { 'X-Amz-Date': '20250101T000000Z' } }));
    expect(get.status).toBe(200);
    expect(JSON.parse(get.body).method).toBe('GET');
    const body = '{"state":{"reported":{"status":"caf\u00e9 \u20ac"}}}';
    const post = await h.http.request(req('/things/t1/shadow', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } }));
    const seen = server.requests[server.requests.length - 1]!;
    expect(server.sni.length - before).toBe(1);
    expect(seen.connection).toBe(server.requests[server.requests.length - 2]!.connection);
    expect(seen.headers['content-length']).toBe(String(Buffer.byteLength(body, 'utf8')));
    expect(seen.body.toString('utf8')).toBe(body);
    expect(seen.headers['host']).toBe(`localhost:${server.port}`);
    expect(seen.headers['connection']).toBe('keep-alive');
    // An 8-bit engine holds code points up to 255: the echoed euro sign comes back as '?'.
    expect(JSON.parse(post.body).body).toBe(body.replace('\u20ac', '?'));
    expect(post.bytesOut).toBe(Buffer.byteLength(seen.head) + 4 + seen.body.length);
    expect(post.bytesIn).toBeGreaterThan(post.body.length);
    h.http.close();
    wake.end();
  });

  it('sends the request host as SNI and refuses a server the given CA did not sign (dormouse firmware)', async () => {
    const { wake, h } = hal('dormouse');
    const before = server.sni.length;
    await h.http.request(req('/x'));
    expect(server.sni[before]).toBe('localhost');
    h.http.close();
    const f = await failure(h.http.request(req('/x', { tls: { ca: otherCa.cert } })));
    expect(f.code).toBe('ETLS');
    expect(f.message).toMatch(/TLS handshake failed.*not trusted/);
    wake.end();
  });

  it('checks the host name like mbedTLS: an IP address does not match the certificate', async () => {
    const { wake, h } = hal('dormouse');
    const f = await failure(h.http.request(req('/x', { host: '127.0.0.1' })));
    expect(f.code).toBe('ETLS');
    wake.end();
  });

  it('stock ESP32 firmware sends "mbed TLS Server 1" as SNI and accepts any certificate', async () => {
    const { wake, h } = hal('stock-esp32');
    const before = server.sni.length;
    const r = await h.http.request(req('/x', { tls: { ca: otherCa.cert } }));
    expect(r.status).toBe(200);
    expect(server.sni[before]).toBe('mbed TLS Server 1');
    wake.end();
  });

  it('presents a client certificate given as PEM (passed to Espruino as DER)', async () => {
    const { wake, h } = hal();
    const before = server.clientCn.length;
    await h.http.request(req('/x', { tls: { ca: pki.ca.cert, cert: client.cert, key: client.key } }));
    expect(server.clientCn[before]).toBe('thing-1');
    wake.end();
  });

  it('reads chunked bodies (with extensions and trailers) and joins repeated headers', async () => {
    const { wake, h } = hal();
    const r = await h.http.request(req('/chunked'));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ text: 'Hello w\u00f6rld' });
    expect(r.headers['x-multi']).toBe('a, b');
    expect(r.headers['transfer-encoding']).toBe('chunked');
    wake.end();
  });

  it('reads a body delimited by the close, then opens a new connection', async () => {
    const { wake, h } = hal();
    const before = server.sni.length;
    const r = await h.http.request(req('/until-close'));
    expect(r.body).toBe('until the close \u00e9');
    await h.http.request(req('/x'));
    expect(server.sni.length - before).toBe(2);
    wake.end();
  });

  it('skips an interim 100 response and honours Connection: close', async () => {
    const { wake, h } = hal();
    const before = server.sni.length;
    expect((await h.http.request(req('/continue', { method: 'POST', body: 'x' }))).status).toBe(201);
    expect((await h.http.request(req('/close'))).status).toBe(200);
    expect((await h.http.request(req('/x'))).status).toBe(200);
    expect(server.sni.length - before).toBe(2);
    wake.end();
  });

  it('replaces a kept connection the server closed while idle, transparently', async () => {
    const { wake, h } = hal();
    const before = server.sni.length;
    await h.http.request(req('/x'));
    server.dropConnections();
    await new Promise((r) => setTimeout(r, 50));
    const r = await h.http.request(req('/y', { method: 'POST', body: '{}' }));
    expect(r.status).toBe(200);
    expect(server.sni.length - before).toBe(2);
    wake.end();
  });

  it('turns Espruino synchronous connect failures into EDNS and ECONN', async () => {
    const { wake, h } = hal();
    const dns = await failure(h.http.request(req('/x', { host: 'no-such-host.invalid' })));
    expect(dns.code).toBe('EDNS');
    expect(dns.message).toMatch(/no-such-host\.invalid.*did not resolve/);
    const closed = await startRawServer();
    const port = closed.port;
    await closed.close();
    const refused = await failure(h.http.request(req('/x', { scheme: 'http', host: '127.0.0.1', port })));
    expect(refused.code).toBe('ECONN');
    expect(refused.message).toMatch(/refused/);
    wake.end();
  });

  it('times out naming the step that did not finish', async () => {
    const { wake, h } = hal();
    const f = await failure(h.http.request(req('/never', { timeoutMs: 400 })));
    expect(f.code).toBe('ETIMEOUT');
    expect(f.message).toMatch(/GET \/never: no response yet within \d+ ms/);
    wake.end();
  });

  it('refuses a TLS handshake when the heap is short (EMEM) and a malformed response (EHTTP)', async () => {
    const low = hal('dormouse', 20000);
    const f = await failure(low.h.http.request(req('/x')));
    expect(f.code).toBe('EMEM');
    expect(f.message).toMatch(/20000 bytes of heap free, a TLS handshake needs at least 32768/);
    low.wake.end();
    const { wake, h } = hal();
    expect((await failure(h.http.request(req('/garbage')))).code).toBe('EHTTP');
    expect((await failure(h.http.request(req('/big')))).message).toMatch(/exceeds 32768/);
    wake.end();
  });

  it('refuses a CA that is not PEM, and header values with CR/LF', async () => {
    const { wake, h } = hal();
    const f = await failure(h.http.request(req('/x', { tls: { ca: 'ca.pem' } })));
    expect(f.code).toBe('ETLS');
    expect(f.message).toMatch(/tls\.ca: expected a PEM block/);
    const g = await failure(h.http.request(req('/x', { headers: { 'X-Evil': 'a\r\nHost: b' } })));
    expect(g.code).toBe('EHTTP');
    wake.end();
  });

  it('speaks plain HTTP over net for a local cloud, keeping the connection', async () => {
    const { wake, h } = hal();
    const before = plain.sni.length;
    const a = await h.http.request({ method: 'GET', scheme: 'http', host: '127.0.0.1', port: plain.port, path: '/a', headers: {}, timeoutMs: 3000 });
    const b = await h.http.request({ method: 'DELETE', scheme: 'http', host: '127.0.0.1', port: plain.port, path: '/b', headers: {}, timeoutMs: 3000 });
    expect([a.status, b.status]).toEqual([200, 200]);
    // Both on one connection (the doubles' synchronous connect probe shows up as another one).
    const [c1, c2] = plain.requests.slice(-2).map((r) => r.connection);
    expect(c1).toBe(c2);
    expect(plain.sni.length).toBeGreaterThan(before);
    expect(plain.requests[plain.requests.length - 1]!.headers['host']).toBe(`127.0.0.1:${plain.port}`);
    wake.end();
  });
});
