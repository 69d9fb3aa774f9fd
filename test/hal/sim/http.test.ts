import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpRequest } from '../../../hal/hal.js';
import { createSimHttp } from '../../../hal/sim/http.js';
import type { SimHttp } from '../../../hal/sim/http.js';
import { issueCert, localhostPki, makeCa } from '../../support/forge-pki.js';

const pki = localhostPki();
const closers: (() => void)[] = [];
afterEach(() => {
  while (closers.length) closers.pop()?.();
});

/** A raw server (TLS or TCP) whose connection handler writes whatever the test wants. */
async function rawServer(
  handler: (socket: Socket, request: string, n: number) => void,
  o?: { tls?: boolean; cert?: string; key?: string },
): Promise<{ port: number; connections: () => number; received: () => number }> {
  let connections = 0;
  let received = 0;
  const onConn = (socket: Socket): void => {
    connections += 1;
    let buf = '';
    let n = 0;
    socket.on('data', (d: Buffer) => {
      received += d.length;
      buf += d.toString('latin1');
      // one handler call per complete request head (+ body by Content-Length)
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const m = /content-length: *(\d+)/i.exec(buf.substring(0, end));
        const total = end + 4 + (m ? Number(m[1]) : 0);
        if (Buffer.byteLength(buf, 'latin1') < total) return;
        const req = buf.substring(0, total);
        buf = buf.substring(total);
        n += 1;
        handler(socket, req, n);
      }
    });
    socket.on('error', () => undefined);
  };
  const server: Server =
    o?.tls === false ? createNetServer(onConn) : createTlsServer({ cert: o?.cert ?? pki.server.cert, key: o?.key ?? pki.server.key }, onConn);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => server.close());
  const sockets: Socket[] = [];
  server.on(o?.tls === false ? 'connection' : 'secureConnection', (s: Socket) => sockets.push(s));
  closers.push(() => sockets.forEach((s) => s.destroy()));
  return { port: (server.address() as AddressInfo).port, connections: () => connections, received: () => received };
}

function ok(body: string, extra = ''): string {
  return `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
}

function req(port: number, o?: Partial<HttpRequest>): HttpRequest {
  return { method: 'GET', scheme: 'https', host: 'localhost', port, path: '/x', headers: {}, tls: { ca: pki.ca.cert }, timeoutMs: 3000, ...o };
}

function newHttp(): SimHttp {
  const h = createSimHttp();
  closers.push(() => h.close());
  return h;
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a failure');
}

describe('sim http', () => {
  it('sim http: two requests to the same endpoint share one connection (keep-alive)', async () => {
    let connections = 0;
    const server = createHttpsServer({ cert: pki.server.cert, key: pki.server.key }, (rq, rs) => {
      rq.resume();
      rq.on('end', () => rs.end(`hello ${rq.method}`));
    });
    server.on('secureConnection', () => (connections += 1));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => {
      server.closeAllConnections();
      server.close();
    });
    const port = (server.address() as AddressInfo).port;
    const http = newHttp();
    const a = await http.request(req(port));
    const b = await http.request(req(port, { method: 'POST', body: 'x' }));
    expect(a.body).toBe('hello GET');
    expect(b.body).toBe('hello POST');
    expect(connections).toBe(1);
    expect(http.stats.connections).toBe(1);
  });

  it('sim http: reconnects transparently when the server closed the idle connection', async () => {
    const s = await rawServer((socket) => socket.end(ok('one')));
    const http = newHttp();
    expect((await http.request(req(s.port))).body).toBe('one');
    await new Promise((r) => setTimeout(r, 100));
    expect((await http.request(req(s.port))).body).toBe('one');
    expect(s.connections()).toBe(2);
  });

  it('sim http: reconnects when a kept-alive connection dies as the next request is sent', async () => {
    const s = await rawServer((socket, _r, n) => {
      if (n === 1) socket.write(ok('first'));
      else socket.destroy(); // the race: server drops the connection instead of answering
    });
    const http = newHttp();
    expect((await http.request(req(s.port))).body).toBe('first');
    const second = await http.request(req(s.port, { method: 'POST', body: '{}' }));
    expect(second.body).toBe('first');
    expect(s.connections()).toBe(2);
  });

  it('sim http: "Connection: close" in a response makes the next request open a new connection', async () => {
    const s = await rawServer((socket) => socket.write(ok('bye', 'Connection: close\r\n')));
    const http = newHttp();
    await http.request(req(s.port));
    await http.request(req(s.port));
    expect(s.connections()).toBe(2);
  });

  it('sim http: reads chunked responses split across packets, with extensions and trailers', async () => {
    const s = await rawServer((socket) => {
      const parts = ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\nx-a: 2\r\n\r\n', '5;ext=1\r\nhel', 'lo\r\n', '7\r\n, wörl\r\n', '1\r\nd\r\n0\r\nX-Trailer: t\r\n\r\n'];
      let i = 0;
      const next = (): void => {
        if (i < parts.length) {
          socket.write(Buffer.from(parts[i++] as string, 'utf8'));
          setTimeout(next, 5);
        }
      };
      next();
    });
    const http = newHttp();
    const r = await http.request(req(s.port));
    expect(r.body).toBe('hello, wörld');
    expect(r.headers['x-a']).toBe('1, 2');
    // the connection stays usable after a chunked body
    const again = await http.request(req(s.port));
    expect(again.body).toBe('hello, wörld');
    expect(s.connections()).toBe(1);
  });

  it('sim http: Content-Length counts UTF-8 bytes both ways (non-ASCII bodies)', async () => {
    const body = 'Zoë 😀 €';
    let seen = '';
    const s = await rawServer((socket, r) => {
      seen = r;
      socket.write(ok('répondu ✓'));
    });
    const http = newHttp();
    const r = await http.request(req(s.port, { method: 'POST', body }));
    // Z o ë(2) space 😀(4) space €(3) = 13 bytes, 8 UTF-16 units
    expect(body.length).toBe(8);
    expect(seen).toMatch(/\r\nContent-Length: 13\r\n/);
    expect(Buffer.from(seen.split('\r\n\r\n')[1] as string, 'latin1').toString('utf8')).toBe(body);
    expect(r.body).toBe('répondu ✓');
    expect(r.bytesOut).toBe(Buffer.byteLength(seen, 'latin1'));
    expect(r.bytesOut).toBe(s.received());
    expect(r.bytesIn).toBe(Buffer.byteLength(ok('répondu ✓')));
  });

  it('sim http: sends Host with the port, lets no caller override Content-Length, and rejects header injection', async () => {
    let seen = '';
    const s = await rawServer((socket, r) => {
      seen = r;
      socket.write(ok('{}'));
    });
    const http = newHttp();
    await http.request(req(s.port, { method: 'POST', body: 'abc', headers: { 'Content-Length': '99', 'X-Amz-Date': '20250101T000000Z' } }));
    expect(seen).toMatch(new RegExp(`^POST /x HTTP/1.1\r\nHost: localhost:${s.port}\r\n`));
    expect(seen).toContain('\r\nContent-Length: 3\r\n');
    expect(seen).not.toContain('Content-Length: 99');
    expect(seen).toContain('\r\nX-Amz-Date: 20250101T000000Z\r\n');
    const e = await failure(http.request(req(s.port, { headers: { 'X-Evil': 'a\r\nInjected: 1' } })));
    expect(e.code).toBe('EHTTP');
  });

  it('sim http: a server that never answers is ETIMEOUT within the limit', async () => {
    const s = await rawServer(() => undefined);
    const http = newHttp();
    const t0 = Date.now();
    const e = await failure(http.request(req(s.port, { timeoutMs: 300 })));
    const took = Date.now() - t0;
    expect(e.code).toBe('ETIMEOUT');
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1500);
  });

  it('sim http: a body that stops half-way is ETIMEOUT; a close half-way is ECONN', async () => {
    const hang = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
    const http = newHttp();
    expect((await failure(http.request(req(hang.port, { timeoutMs: 300 })))).code).toBe('ETIMEOUT');
    const cut = await rawServer((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
    const e = await failure(http.request(req(cut.port)));
    expect(e.code).toBe('ECONN');
    expect(e.message).toContain('closed');
  });

  it('sim http: a refused port is ECONN', async () => {
    const probe = createNetServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const e = await failure(newHttp().request(req(port, { host: '127.0.0.1' })));
    expect(e.code).toBe('ECONN');
    expect(e.message).toContain('ECONNREFUSED');
  });

  it('sim http: a server certificate from another CA is ETLS', async () => {
    const other = makeCa('another CA');
    const cert = issueCert(other, { commonName: 'localhost', dnsNames: ['localhost'] });
    const s = await rawServer((socket) => socket.write(ok('x')), { cert: cert.cert, key: cert.key });
    const e = await failure(newHttp().request(req(s.port)));
    expect(e.code).toBe('ETLS');
    expect(s.connections()).toBeLessThanOrEqual(1);
  });

  it('sim http: a certificate for another host name is ETLS', async () => {
    const cert = issueCert(pki.ca, { commonName: 'other.example', dnsNames: ['other.example'] });
    const s = await rawServer((socket) => socket.write(ok('x')), { cert: cert.cert, key: cert.key });
    const e = await failure(newHttp().request(req(s.port)));
    expect(e.code).toBe('ETLS');
    expect(e.message).toMatch(/altname|other\.example|does not match/i);
    // ...but it is accepted when that name is the configured servername (SNI + check)
    const r = await newHttp().request(req(s.port, { host: '127.0.0.1', tls: { ca: pki.ca.cert, servername: 'other.example' } }));
    expect(r.body).toBe('x');
  });

  it('sim http: an IP address is verified against the IP SAN', async () => {
    const good = await rawServer((socket) => socket.write(ok('ip ok')));
    expect((await newHttp().request(req(good.port, { host: '127.0.0.1' }))).body).toBe('ip ok');
    const cert = issueCert(pki.ca, { commonName: 'localhost', dnsNames: ['localhost'] });
    const noIp = await rawServer((socket) => socket.write(ok('x')), { cert: cert.cert, key: cert.key });
    const e = await failure(newHttp().request(req(noIp.port, { host: '127.0.0.1' })));
    expect(e.code).toBe('ETLS');
  });

  it('sim http: an unresolvable host name is EDNS', async () => {
    const e = await failure(newHttp().request(req(443, { host: 'nonexistent.invalid' })));
    expect(e.code).toBe('EDNS');
    expect(e.message).toContain('nonexistent.invalid');
  });

  it('sim http: a malformed status line is EHTTP', async () => {
    const s = await rawServer((socket) => socket.write('SMTP ready\r\n\r\n'), { tls: false });
    const e = await failure(newHttp().request(req(s.port, { scheme: 'http', tls: undefined })));
    expect(e.code).toBe('EHTTP');
    expect(e.message).toContain('status line');
  });

  it('sim http: bad chunk sizes are EHTTP', async () => {
    const s = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n'), { tls: false });
    const e = await failure(newHttp().request(req(s.port, { scheme: 'http' })));
    expect(e.code).toBe('EHTTP');
  });

  it('sim http: plain http works, and a body read until close is complete', async () => {
    const s = await rawServer((socket) => socket.end('HTTP/1.0 200 OK\r\nX: y\r\n\r\nuntil close'), { tls: false });
    const r = await newHttp().request(req(s.port, { scheme: 'http', host: '127.0.0.1' }));
    expect(r.status).toBe(200);
    expect(r.body).toBe('until close');
    expect(r.headers['x']).toBe('y');
  });

  it('sim http: 100 Continue is skipped, 204 has no body, close() ends the kept-alive connection', async () => {
    let closed = 0;
    const s = await rawServer((socket, _r, n) => {
      socket.on('close', () => (closed += 1));
      if (n === 1) socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n');
      else socket.write(ok('two'));
    });
    const http = newHttp();
    const a = await http.request(req(s.port));
    expect(a.status).toBe(204);
    expect(a.body).toBe('');
    expect((await http.request(req(s.port))).body).toBe('two');
    expect(s.connections()).toBe(1);
    http.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBeGreaterThanOrEqual(1);
  });

  it('sim http: the connect seam can wrap the socket factory (fault injection)', async () => {
    const s = await rawServer((socket) => socket.write(ok('seam')));
    let calls = 0;
    const { connectSocket } = await import('../../../hal/sim/http.js');
    const http = createSimHttp({
      connect: (t) => {
        calls += 1;
        if (calls === 1) return Promise.reject(Object.assign(new Error('injected'), { code: 'ENET' }));
        return connectSocket(t);
      },
    });
    closers.push(() => http.close());
    expect((await failure(http.request(req(s.port)))).code).toBe('ENET');
    expect((await http.request(req(s.port))).body).toBe('seam');
  });
});
