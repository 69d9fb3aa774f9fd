/**
 * The listening side of the local cloud: HTTPS (TLS 1.2+, RSA certificate, RSA key exchange kept
 * for mbedTLS clients), SNI checks like AWS's, timeouts against slow clients, a plain 400 for
 * garbage, and an optional plain-HTTP twin on loopback.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import * as tls from 'node:tls';
import { sniMatches } from './certs.js';
import type { ServerTls } from './certs.js';

/**
 * TLS 1.2 suites offered, in AWS IoT Core's order (its default security policy): ECDHE-RSA first,
 * then RSA key exchange, the kind mbedTLS builds without ECC (Espruino's Linux build) use. AWS
 * offers no DHE, so by default neither does this server: a device negotiates here what it will
 * negotiate with AWS. TLS 1.3 suites are Node's.
 */
export const AWS_TLS12_CIPHERS: readonly string[] = [
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-SHA256',
  'ECDHE-RSA-AES128-SHA',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-SHA384',
  'ECDHE-RSA-AES256-SHA',
  'AES128-GCM-SHA256',
  'AES128-SHA256',
  'AES128-SHA',
  'AES256-GCM-SHA384',
  'AES256-SHA256',
  'AES256-SHA',
];

/** DHE-RSA suites, offered only with the `dhe` option (for mbedTLS builds with neither ECDHE nor RSA key exchange). */
export const DHE_CIPHERS: readonly string[] = ['DHE-RSA-AES128-GCM-SHA256', 'DHE-RSA-AES256-GCM-SHA384', 'DHE-RSA-AES128-SHA256', 'DHE-RSA-AES256-SHA256'];

/** The OpenSSL cipher string of the server. */
export function cipherList(dhe: boolean): string {
  return [...AWS_TLS12_CIPHERS, ...(dhe ? DHE_CIPHERS : [])].join(':');
}

/** Options of {@link createServers}. */
export interface ServerOptions {
  readonly tls: ServerTls;
  readonly requireSni: boolean;
  /** Also offer DHE-RSA suites (AWS does not). */
  readonly dhe: boolean;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly now: () => number;
  readonly log: (line: string) => void;
}

function timeouts(server: http.Server, o: ServerOptions): void {
  server.headersTimeout = o.headersTimeoutMs;
  server.requestTimeout = o.requestTimeoutMs;
  server.keepAliveTimeout = o.keepAliveTimeoutMs;
  server.maxHeadersCount = 100;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || socket.destroyed) {
      socket.destroy();
      return;
    }
    // Node's own answer has no Date header; AWS's always does.
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nDate: ${new Date(o.now()).toUTCString()}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    socket.destroySoon();
  });
}

/** Create the HTTPS server (not listening yet). */
export function createHttpsServer(o: ServerOptions, handler: http.RequestListener): https.Server {
  const names = o.tls.names;
  const warned = new Set<string>();
  let warnedNoSni = false;
  const server = https.createServer(
    {
      key: o.tls.keyPem,
      cert: o.tls.certPem,
      minVersion: 'TLSv1.2',
      ciphers: cipherList(o.dhe),
      honorCipherOrder: true,
      ...(o.dhe ? { dhparam: 'auto' } : {}),
      connectionsCheckingInterval: 500,
      SNICallback: (servername, cb) => {
        if (sniMatches(servername, names)) return cb(null, undefined);
        if (o.requireSni) {
          o.log(`TLS: refused a client whose SNI ${JSON.stringify(servername)} is not one of this server's names (${names.filter((n) => !/^[\d.:]+$/.test(n)).join(', ')}); AWS IoT would refuse it too`);
          return cb(new Error(`unknown server name ${servername}`), undefined);
        }
        if (!warned.has(servername) && warned.size < 20) {
          warned.add(servername);
          o.log(`TLS: a client sent SNI ${JSON.stringify(servername)}, not one of this server's names; AWS IoT's endpoint would not answer to it (--require-sni refuses such clients)`);
        }
        return cb(null, undefined);
      },
    } as https.ServerOptions,
    handler,
  );
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    const sni = (socket as tls.TLSSocket & { servername?: string | false }).servername;
    if (sni) return;
    if (o.requireSni) {
      o.log(`TLS: refused a client from ${socket.remoteAddress}:${socket.remotePort} that sent no SNI; AWS IoT requires SNI`);
      socket.destroy();
    } else if (!warnedNoSni) {
      warnedNoSni = true;
      o.log('TLS: a client sent no SNI (clients that connect to an IP address cannot); AWS IoT requires it (--require-sni refuses such clients)');
    }
  });
  server.on('tlsClientError', () => undefined);
  timeouts(server, o);
  return server;
}

/** What the mutual-TLS listener needs beyond {@link ServerOptions}. */
export interface MtlsOptions {
  /**
   * True when a client certificate (already verified against the CA by TLS) is registered to a
   * thing; a certificate the registry does not know (never provisioned, or removed) gets its
   * connection closed right after the handshake, as AWS IoT closes it.
   */
  readonly acceptCert: (raw: Buffer) => boolean;
}

/**
 * Create the mutual-TLS listener (AWS IoT's port 8443 with X.509 client certificates): the same
 * server certificate and suites, plus a client certificate the cloud's CA issued, required at
 * the handshake (no certificate or another CA's: the handshake fails).
 */
export function createMtlsServer(o: ServerOptions, m: MtlsOptions, handler: http.RequestListener): https.Server {
  const server = https.createServer(
    {
      key: o.tls.keyPem,
      cert: o.tls.certPem,
      ca: [o.tls.caPem],
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      ciphers: cipherList(o.dhe),
      honorCipherOrder: true,
      ...(o.dhe ? { dhparam: 'auto' } : {}),
      connectionsCheckingInterval: 500,
    } as https.ServerOptions,
    handler,
  );
  let warned = 0;
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    const raw = (socket.getPeerCertificate() as { raw?: Buffer } | null)?.raw;
    if (socket.authorized && raw && raw.length > 0 && m.acceptCert(raw)) return;
    if (warned++ < 20) o.log(`mTLS: refused a client certificate from ${socket.remoteAddress}:${socket.remotePort} that is not registered to a thing (provision one with dormouse cloud provision THING --x509)`);
    socket.destroy();
  });
  server.on('tlsClientError', () => undefined);
  timeouts(server, o);
  return server;
}

/** Create the plain-HTTP twin (insecure: for boards too small for TLS, on a bench). */
export function createHttpServer(o: ServerOptions, handler: http.RequestListener): http.Server {
  const server = http.createServer({ connectionsCheckingInterval: 500 } as http.ServerOptions, handler);
  timeouts(server, o);
  return server;
}

/** Listen on host:port; resolves with the port actually bound (port 0 picks one). */
export function listen(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.removeListener('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stop accepting, drop open connections, resolve when closed. */
export function shutdown(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
