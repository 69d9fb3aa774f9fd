/**
 * Raw HTTP/1.1 test servers (TLS or plain TCP) for the ESP32 HTTP client: each path answers in
 * a way the client must handle (Content-Length, chunked, until-close, interim 100, never), and
 * the server records connections, SNI names and the exact bytes of each request.
 */
import net from 'node:net';
import tls from 'node:tls';

/** A request as the server received it. */
export interface SeenRequest {
  readonly connection: number;
  readonly method: string;
  readonly path: string;
  readonly head: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** A running test server. */
export interface RawServer {
  readonly port: number;
  readonly requests: SeenRequest[];
  /** SNI name per connection (false: none sent, or plain TCP); its length counts connections. */
  readonly sni: (string | false)[];
  /** Client certificate CN per connection, when one was sent. */
  readonly clientCn: (string | undefined)[];
  readonly tlsErrors: string[];
  /** Close every open connection now (the server stays up). */
  dropConnections(): void;
  close(): Promise<void>;
}

/** Options of {@link startRawServer}. */
export interface RawServerOptions {
  /** PEM cert and key: TLS when given, plain TCP otherwise. */
  readonly tls?: { readonly cert: string; readonly key: string; readonly requestCertCa?: string };
}

function respond(sock: net.Socket, req: SeenRequest): void {
  const body = Buffer.from(
    JSON.stringify({ method: req.method, path: req.path, headers: req.headers, body: req.body.toString('utf8'), bodyBytes: req.body.length }),
    'utf8',
  );
  switch (req.path) {
    case '/chunked': {
      const parts = ['{"text":"Hel', 'lo w\u00f6r', 'ld"}'].map((p) => Buffer.from(p, 'utf8'));
      sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Multi: a\r\nx-multi: b\r\n\r\n');
      for (const p of parts) sock.write(Buffer.concat([Buffer.from(`${p.length.toString(16)};ext=1\r\n`), p, Buffer.from('\r\n')]));
      sock.write('0\r\nX-Trailer: t\r\n\r\n');
      return;
    }
    case '/until-close':
      sock.end(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n'), Buffer.from('until the close \u00e9', 'utf8')]));
      return;
    case '/continue':
      sock.write('HTTP/1.1 100 Continue\r\n\r\n');
      sock.write(Buffer.concat([Buffer.from(`HTTP/1.1 201 Created\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
      return;
    case '/close':
      sock.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
      return;
    case '/never':
      return;
    case '/garbage':
      sock.write('SSH-2.0-OpenSSH\r\n\r\n');
      return;
    case '/big': {
      const big = Buffer.alloc(40000, 'x');
      sock.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n`), big]));
      return;
    }
    default:
      // Written in small pieces: the client must assemble them.
      {
        const all = Buffer.concat([Buffer.from(`HTTP/1.1 ${req.path === '/404' ? '404 Not Found' : '200 OK'}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nDate: ${new Date().toUTCString()}\r\n\r\n`), body]);
        for (let i = 0; i < all.length; i += 100) sock.write(all.subarray(i, i + 100));
      }
  }
}

/** Start a raw HTTP/1.1 server on 127.0.0.1 (port 0). */
export function startRawServer(o: RawServerOptions = {}): Promise<RawServer> {
  const requests: SeenRequest[] = [];
  const sni: (string | false)[] = [];
  const clientCn: (string | undefined)[] = [];
  const tlsErrors: string[] = [];
  const open = new Set<net.Socket>();
  const handle = (sock: net.Socket, index: number): void => {
    open.add(sock);
    sock.on('close', () => open.delete(sock));
    sock.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const lines = head.split('\r\n');
        const [method, path] = (lines[0] as string).split(' ') as [string, string];
        const headers: Record<string, string> = {};
        for (const l of lines.slice(1)) {
          const c = l.indexOf(':');
          headers[l.slice(0, c).toLowerCase()] = l.slice(c + 1).trim();
        }
        const len = Number(headers['content-length'] ?? 0);
        if (buf.length < end + 4 + len) return;
        const body = buf.subarray(end + 4, end + 4 + len);
        buf = buf.subarray(end + 4 + len);
        const req: SeenRequest = { connection: index, method, path, head, headers, body };
        requests.push(req);
        respond(sock, req);
      }
    });
  };
  return new Promise((resolve) => {
    let server: net.Server;
    if (o.tls !== undefined) {
      const s = tls.createServer(
        {
          cert: o.tls.cert,
          key: o.tls.key,
          minVersion: 'TLSv1.2',
          ciphers: 'ALL',
          requestCert: o.tls.requestCertCa !== undefined,
          rejectUnauthorized: false,
          ca: o.tls.requestCertCa,
        },
        (sock) => {
          const index = sni.length;
          sni.push(sock.servername === undefined || sock.servername === null ? false : sock.servername);
          const peer = sock.getPeerCertificate();
          clientCn.push(peer && peer.subject ? String(peer.subject.CN) : undefined);
          handle(sock, index);
        },
      );
      s.on('tlsClientError', (e) => tlsErrors.push(e.message));
      server = s;
    } else {
      server = net.createServer((sock) => {
        const index = sni.length;
        sni.push(false);
        clientCn.push(undefined);
        handle(sock, index);
      });
    }
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        port,
        requests,
        sni,
        clientCn,
        tlsErrors,
        dropConnections: () => {
          for (const s of open) s.destroy();
        },
        close: () =>
          new Promise<void>((r) => {
            for (const s of open) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
