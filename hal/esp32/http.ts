/**
 * An HTTP/1.1 client of this project over Espruino's raw sockets: `require('tls').connect` for
 * HTTPS, `require('net').connect` for plain HTTP to a local cloud. Espruino's own `http` module
 * sends `Connection: close` on every request, adds no `Content-Length` and has no timeout, so it
 * is not used (libs/network/socketserver.c).
 *
 * - `Content-Length` counts UTF-8 bytes; the body goes out as those bytes.
 * - One connection is kept open between requests to the same host, port and TLS settings (the
 *   GET and the POST of a wake), unless the server says `Connection: close`. A kept connection
 *   the server closed before answering is replaced once.
 * - Responses delimited by `Content-Length`, chunked coding or the close.
 * - Every request has one deadline; the timeout error names the step that did not finish
 *   (TLS handshake, sending, waiting for the response, reading the body).
 * - Espruino throws synchronously from `connect` on a DNS failure (`Unable to locate host`), a
 *   refused connection (`Unable to create socket`) or bad TLS material: these become `EDNS`,
 *   `ECONN`, `ETLS`. A TLS handshake failure shows as the socket closing before the request
 *   was ever sent (`drain` never fired): `ETLS`.
 * - Before a TLS connection the free heap is checked (`EMEM`): mbedTLS needs 30+ KB.
 */
import type { Http, HttpRequest, HttpResponse, TlsOptions } from '../hal.js';
import { halError, isHalFailure, thrownText } from './errors.js';
import { after, socketModule } from './espruino.js';
import { ResponseParser, type ParsedResponse, type ResponseLimits } from './http-response.js';
import { CERT_LABELS, KEY_LABELS, pemToDer } from './pem.js';
import { decodeUtf8, utf8ByteString } from './text.js';

/** Options of {@link createEsp32Http}. */
export interface Esp32HttpOptions extends ResponseLimits {
  /** Free heap (bytes) required before a TLS handshake is attempted. */
  readonly minFreeHeapForTls: number;
}

/** Defaults of {@link Esp32HttpOptions}. */
export const HTTP_DEFAULTS: Esp32HttpOptions = { minFreeHeapForTls: 32768, maxHeaderBytes: 4096, maxBodyBytes: 32768 };

/** What the HTTP client needs from the rest of the HAL. */
export interface Esp32HttpDeps {
  /** Free heap in bytes (`ESP32.getState().freeHeap`). */
  freeHeap(): number;
  /** The last error Espruino reported outside our code (e.g. mbedTLS's handshake error), consumed. */
  engineError?(): string | undefined;
}

interface Sink {
  data(d: string): void;
  drain(): void;
  close(): void;
}

interface Conn {
  readonly key: string;
  readonly label: string;
  readonly tls: boolean;
  readonly socket: EspruinoSocket;
  open: boolean;
  /** `drain` seen: the request went out, so a TLS handshake completed. */
  drained: boolean;
  used: number;
  sink: Sink | undefined;
}

/** How long a failed handshake waits for Espruino's report of the reason (ms). */
const HANDSHAKE_REASON_WAIT_MS = 50;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const CRLF = /[\r\n]/;
const OWN_HEADERS = ['content-length', 'connection', 'transfer-encoding'];

function tlsKey(tls: TlsOptions | undefined): string {
  if (tls === undefined) return '';
  const ca = tls.ca === undefined ? '' : tls.ca.length + ':' + tls.ca.substring(tls.ca.length - 64);
  const cert = tls.cert === undefined ? '' : tls.cert.length + ':' + tls.cert.substring(tls.cert.length - 64);
  return `${ca}|${cert}|${tls.servername || ''}`;
}

function connectError(e: unknown, label: string, tls: boolean): Error {
  const text = thrownText(e);
  if (text.indexOf('locate host') >= 0) return halError('EDNS', `${label}: the host name did not resolve (${text})`);
  if (text.indexOf('memory') >= 0 || text.indexOf('Memory') >= 0) return halError('EMEM', `${label}: out of memory opening the connection (${text})`);
  if (tls && (text.indexOf('HTTPS') >= 0 || text.indexOf('mbedtls') >= 0 || text.indexOf('SSL') >= 0)) {
    return halError('ETLS', `${label}: TLS setup failed: ${text}`);
  }
  return halError('ECONN', `${label}: connection refused or unreachable (${text})`);
}

/** The request as it goes on the wire (8-bit string). */
function wireRequest(req: HttpRequest, hostHeader: string, body: string | undefined): string {
  let head = `${req.method} ${req.path} HTTP/1.1\r\nHost: ${hostHeader}\r\n`;
  for (const name in req.headers) {
    if (!Object.prototype.hasOwnProperty.call(req.headers, name)) continue;
    const lower = name.toLowerCase();
    if (lower === 'host' || OWN_HEADERS.indexOf(lower) >= 0) continue;
    const value = String(req.headers[name]);
    if (!TOKEN.test(name)) throw halError('EHTTP', `request header name ${JSON.stringify(name)} is not a token`);
    if (CRLF.test(value)) throw halError('EHTTP', `request header ${name}: value contains CR or LF`);
    head += `${name}: ${utf8ByteString(value)}\r\n`;
  }
  if (body !== undefined) head += `Content-Length: ${body.length}\r\n`;
  head += 'Connection: keep-alive\r\n\r\n';
  return body === undefined ? head : head + body;
}

function hostHeaderOf(req: HttpRequest): string {
  for (const name in req.headers) {
    if (Object.prototype.hasOwnProperty.call(req.headers, name) && name.toLowerCase() === 'host') return String(req.headers[name]);
  }
  const defaultPort = req.scheme === 'https' ? 443 : 80;
  return req.port === defaultPort ? req.host : `${req.host}:${req.port}`;
}

/** The HAL's {@link Http} on Espruino sockets. */
export function createEsp32Http(deps: Esp32HttpDeps, options?: Partial<Esp32HttpOptions>): Http {
  const o: Esp32HttpOptions = {
    minFreeHeapForTls: options && options.minFreeHeapForTls !== undefined ? options.minFreeHeapForTls : HTTP_DEFAULTS.minFreeHeapForTls,
    maxHeaderBytes: options && options.maxHeaderBytes !== undefined ? options.maxHeaderBytes : HTTP_DEFAULTS.maxHeaderBytes,
    maxBodyBytes: options && options.maxBodyBytes !== undefined ? options.maxBodyBytes : HTTP_DEFAULTS.maxBodyBytes,
  };
  let kept: Conn | undefined;

  function closeConn(c: Conn): void {
    c.sink = undefined;
    if (kept === c) kept = undefined;
    if (!c.open) return;
    c.open = false;
    try {
      c.socket.end();
    } catch (_e) { /* already closed */ }
  }

  function openConn(req: HttpRequest, key: string, label: string): Conn {
    const tls = req.scheme === 'https';
    const opts: EspruinoConnectOptions = { host: req.host, port: req.port };
    if (tls) {
      const free = deps.freeHeap();
      if (free < o.minFreeHeapForTls) {
        throw halError('EMEM', `${label}: ${free} bytes of heap free, a TLS handshake needs at least ${o.minFreeHeapForTls}`);
      }
      const t = req.tls;
      if (t !== undefined) {
        if (t.ca !== undefined) opts.ca = pemToDer(t.ca, 'ca', CERT_LABELS);
        if (t.cert !== undefined) opts.cert = pemToDer(t.cert, 'cert', CERT_LABELS);
        if (t.key !== undefined) opts.key = pemToDer(t.key, 'key', KEY_LABELS);
      }
      // Read by dormouse's patched firmware (firmware/espruino/build.sh); stock Espruino ignores it.
      opts.servername = t !== undefined && t.servername !== undefined ? t.servername : req.host;
    }
    let socket: EspruinoSocket;
    try {
      socket = socketModule(tls).connect(opts);
    } catch (e) {
      throw connectError(e, label, tls);
    }
    const c: Conn = { key, label, tls, socket, open: true, drained: false, used: 0, sink: undefined };
    socket.on('data', (d) => {
      if (c.sink !== undefined) c.sink.data(d);
    });
    socket.on('drain', () => {
      c.drained = true;
      if (c.sink !== undefined) c.sink.drain();
    });
    socket.on('close', () => {
      c.open = false;
      if (kept === c) kept = undefined;
      if (c.sink !== undefined) c.sink.close();
    });
    socket.on('error', () => {
      // Espruino fires `error` ({code, message}) before `close`; the close carries the outcome.
    });
    return c;
  }

  function exchange(c: Conn, req: HttpRequest, wire: string, timeoutMs: number): Promise<{ res: ParsedResponse; bytesIn: number; retry: boolean }> {
    return new Promise((resolve, reject) => {
      const parser = new ResponseParser(req.method, o);
      const reused = c.used > 0;
      let sent = false;
      let finished = false;
      const finish = (err: Error | undefined, retry: boolean): void => {
        if (finished) return;
        finished = true;
        cancel();
        c.sink = undefined;
        if (err !== undefined) {
          closeConn(c);
          if (retry) resolve({ res: parser.result(), bytesIn: parser.bytesIn, retry: true });
          else reject(err);
          return;
        }
        c.used++;
        const res = parser.result();
        if (!res.keepAlive) closeConn(c);
        resolve({ res, bytesIn: parser.bytesIn, retry: false });
      };
      const stepText = (): string => {
        if (c.tls && !c.drained && !reused) return 'TLS handshake not finished';
        if (!sent) return 'request not sent';
        return parser.describe();
      };
      const cancel = after(timeoutMs, () => {
        finish(halError('ETIMEOUT', `${c.label}: ${req.method} ${req.path}: ${stepText()} within ${req.timeoutMs} ms`), false);
      });
      c.sink = {
        data(d: string): void {
          try {
            parser.feed(d);
          } catch (e) {
            finish(isHalFailure(e) ? e : halError('EHTTP', thrownText(e)), false);
            return;
          }
          if (parser.done) finish(undefined, false);
        },
        drain(): void {
          sent = true;
        },
        close(): void {
          parser.closed();
          if (parser.done) {
            finish(undefined, false);
            return;
          }
          if (reused && parser.bytesIn === 0) {
            finish(halError('ECONN', `${c.label}: kept connection closed`), true);
            return;
          }
          if (c.tls && !c.drained) {
            // Espruino raises mbedTLS's reason as an uncaught error just after the close: wait a
            // moment for it, so the error says why.
            after(HANDSHAKE_REASON_WAIT_MS, () => {
              const why = deps.engineError !== undefined ? deps.engineError() : undefined;
              finish(halError('ETLS', `${c.label}: TLS handshake failed${why !== undefined ? `: ${why}` : ' (server certificate not signed by the given CA, wrong host name, or no common cipher)'}`), false);
            });
            return;
          }
          finish(halError('ECONN', `${c.label}: connection closed: ${parser.describe()}`), false);
        },
      };
      try {
        c.socket.write(wire);
      } catch (e) {
        finish(halError('ECONN', `${c.label}: writing the request failed: ${thrownText(e)}`), reused);
      }
    });
  }

  function request(req: HttpRequest): Promise<HttpResponse> {
    const started = Date.now();
    const label = `${req.scheme}://${req.host}:${req.port}`;
    const key = `${label}|${tlsKey(req.tls)}`;
    let wire: string;
    try {
      const body = req.body === undefined ? (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH' ? '' : undefined) : utf8ByteString(req.body);
      wire = wireRequest(req, hostHeaderOf(req), body);
    } catch (e) {
      return Promise.reject(isHalFailure(e) ? e : halError('EHTTP', thrownText(e)));
    }
    const attempt = (allowRetry: boolean): Promise<HttpResponse> => {
      let c: Conn;
      try {
        if (kept !== undefined && (kept.key !== key || !kept.open)) closeConn(kept);
        c = kept !== undefined ? kept : openConn(req, key, label);
        kept = c;
      } catch (e) {
        return Promise.reject(isHalFailure(e) ? e : halError('ECONN', thrownText(e)));
      }
      const left = Math.max(1, req.timeoutMs - (Date.now() - started));
      return exchange(c, req, wire, left).then((r) => {
        if (r.retry) {
          if (allowRetry) return attempt(false);
          throw halError('ECONN', `${label}: connection closed before a response`);
        }
        return {
          status: r.res.status,
          headers: r.res.headers,
          body: decodeUtf8(r.res.body),
          bytesOut: wire.length,
          bytesIn: r.bytesIn,
        };
      });
    };
    return attempt(true);
  }

  return {
    request,
    close(): void {
      if (kept !== undefined) closeConn(kept);
    },
  };
}
