/**
 * The simulator's {@link Http}: a small HTTP/1.1 client over real `node:net`/`node:tls` sockets.
 * It verifies the server certificate against the request's CA and host name, presents a client
 * certificate for X.509 auth, keeps one connection alive between requests to the same endpoint
 * (reconnecting transparently when the server closed it meanwhile), reads Content-Length and
 * chunked bodies, bounds every request by one timeout, and turns every failure into a HAL code:
 * `EDNS`, `ECONN`, `ETLS`, `ETIMEOUT`, `EHTTP`.
 *
 * The socket comes from a `connect` seam ({@link SimConnect}) so the fault injector can wrap it.
 * A HAL implementation: imports `hal/hal.ts` and Node only.
 */
import { isIP, connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext } from 'node:tls';
import type { SecureContext } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { HalErrorCode, HalFailure, Http, HttpRequest, HttpResponse, TlsOptions } from '../hal.js';

/** Where a connection goes. */
export interface SimConnectTarget {
  readonly scheme: 'https' | 'http';
  readonly host: string;
  readonly port: number;
  readonly tls?: TlsOptions;
  /** Give up (reject with `ETIMEOUT`) after this long. */
  readonly timeoutMs: number;
}

/**
 * Opens a connection ready for HTTP: TCP connected and, for https, the TLS handshake done and
 * the server verified. Rejects with a {@link HalFailure}. The seam the fault injector wraps.
 */
export type SimConnect = (target: SimConnectTarget) => Promise<Duplex>;

/** Options of {@link createSimHttp}. */
export interface SimHttpOptions {
  /** Socket factory; default {@link connectSocket}. */
  readonly connect?: SimConnect;
  /** Largest response body accepted (bytes); larger → `EHTTP`. */
  readonly maxBodyBytes?: number;
  /** Largest response header block accepted (bytes); larger → `EHTTP`. */
  readonly maxHeaderBytes?: number;
}

/** Defaults of {@link SimHttpOptions}. */
export const SIM_HTTP_DEFAULTS = { maxBodyBytes: 8 * 1024 * 1024, maxHeaderBytes: 64 * 1024 };

/** The simulator's {@link Http}, plus counters for tests and the timeline. */
export interface SimHttp extends Http {
  /** Connections opened so far (a kept-alive connection counts once). */
  readonly stats: { readonly connections: number; readonly requests: number };
}

/** A {@link HalFailure}; `noResponse` marks a reused connection that died before any answer. */
function failure(code: HalErrorCode, message: string): HalFailure & { noResponse?: boolean } {
  return Object.assign(new Error(message), { code });
}

const DNS_CODES = ['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA'];

/** Map a Node socket error to a HAL failure; `tlsPhase` when it happened during the handshake. */
function mapError(e: NodeJS.ErrnoException, where: string, tlsPhase: boolean): HalFailure {
  const code = e.code ?? '';
  if (DNS_CODES.indexOf(code) >= 0) return failure('EDNS', `${where}: host name did not resolve (${code})`);
  if (tlsPhase || code.indexOf('ERR_SSL') === 0 || code.indexOf('ERR_TLS') === 0 || /certificate|alert|handshake/i.test(e.message)) {
    return failure('ETLS', `${where}: TLS failed: ${code ? `${code}: ` : ''}${e.message}`);
  }
  if (code === 'ETIMEDOUT') return failure('ETIMEOUT', `${where}: connect timed out (ETIMEDOUT)`);
  return failure('ECONN', `${where}: ${code || e.message}`);
}

/** Most TLS contexts kept (one per CA + client certificate seen; a fleet has a handful). */
const SECURE_CONTEXTS_MAX = 32;
const secureContexts = new Map<string, SecureContext>();

/**
 * The TLS context of a CA + client certificate: built once and reused, since parsing the PEMs
 * costs more than half a millisecond per connection and a fleet connects thousands of times.
 */
function secureContextFor(o: TlsOptions): SecureContext {
  const key = JSON.stringify([o.ca ?? '', o.cert ?? '', o.key ?? '']);
  let ctx = secureContexts.get(key);
  if (ctx === undefined) {
    ctx = createSecureContext({
      ...(o.ca !== undefined ? { ca: o.ca } : {}),
      ...(o.cert !== undefined ? { cert: o.cert } : {}),
      ...(o.key !== undefined ? { key: o.key } : {}),
    });
    if (secureContexts.size >= SECURE_CONTEXTS_MAX) {
      const oldest = secureContexts.keys().next().value;
      if (oldest !== undefined) secureContexts.delete(oldest);
    }
    secureContexts.set(key, ctx);
  }
  return ctx;
}

/**
 * The default {@link SimConnect}: TCP, then (https) TLS with SNI = `tls.servername` or the host
 * (no SNI for an IP address, whose certificate must then carry it as an IP SAN), the server
 * certificate verified against `tls.ca` (Node's roots without it), and the client cert/key.
 */
export function connectSocket(t: SimConnectTarget): Promise<Duplex> {
  const where = `${t.host}:${t.port}`;
  return new Promise<Duplex>((resolve, reject) => {
    let settled = false;
    let current: Socket = netConnect({ host: t.host, port: t.port });
    const timer = setTimeout(() => fail(failure('ETIMEOUT', `${where}: not connected within ${t.timeoutMs} ms`)), t.timeoutMs);
    const fail = (f: HalFailure): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      current.destroy();
      reject(f);
    };
    const ok = (s: Socket): void => {
      if (settled) {
        s.destroy();
        return;
      }
      settled = true;
      clearTimeout(timer);
      s.removeAllListeners('error');
      resolve(s);
    };
    const tcp = current;
    tcp.once('error', (e: NodeJS.ErrnoException) => fail(mapError(e, where, false)));
    tcp.once('connect', () => {
      if (t.scheme === 'http') {
        ok(tcp);
        return;
      }
      const o = t.tls ?? {};
      const servername = o.servername ?? (isIP(t.host) ? undefined : t.host);
      let secureContext: SecureContext;
      try {
        secureContext = secureContextFor(o);
      } catch (e) {
        fail(failure('ETLS', `${where}: TLS failed: the CA or client certificate could not be loaded: ${(e as Error).message}`));
        return;
      }
      const s = tlsConnect({
        socket: tcp,
        host: servername ?? t.host,
        ...(servername !== undefined ? { servername } : {}),
        secureContext,
        rejectUnauthorized: true,
      });
      current = s;
      tcp.removeAllListeners('error');
      tcp.on('error', () => undefined); // reported through the TLS socket
      s.once('error', (e: NodeJS.ErrnoException) => fail(mapError(e, where, true)));
      s.once('close', () => fail(failure('ETLS', `${where}: TLS failed: connection closed during the handshake`)));
      s.once('secureConnect', () => {
        s.removeAllListeners('close');
        ok(s);
      });
    });
  });
}

/** The `Host` header: `host`, plus `:port` when not the scheme's default. */
function hostHeader(req: HttpRequest): string {
  const host = req.host.indexOf(':') >= 0 ? `[${req.host}]` : req.host;
  return req.port === (req.scheme === 'http' ? 80 : 443) ? host : `${host}:${req.port}`;
}

/** Identity of a connection: requests with the same key may share it. */
function connectionKey(req: HttpRequest): string {
  const t = req.tls ?? {};
  return JSON.stringify([req.scheme, req.host, req.port, t.servername ?? '', t.ca ?? '', t.cert ?? '', t.key ?? '']);
}

const CRLF = Buffer.from('\r\n');
const STATUS_PREFIX = 'HTTP/';
const HEADER_END = Buffer.from('\r\n\r\n');
const BAD_TEXT = /[\r\n\0]/;

/** Serialize a request; throws `EHTTP` for a path or header that would break the message. */
function serialize(req: HttpRequest): Buffer {
  const where = `${req.host}:${req.port}`;
  if (!/^\/[!-~]*$/.test(req.path)) throw failure('EHTTP', `${where}: request path must start with / and be printable ASCII without spaces`);
  const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
  let host = hostHeader(req);
  const lines: string[] = [];
  for (const name of Object.keys(req.headers)) {
    const value = req.headers[name] as string;
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || BAD_TEXT.test(String(value))) {
      throw failure('EHTTP', `${where}: header ${JSON.stringify(name)} is not a valid HTTP header`);
    }
    const lower = name.toLowerCase();
    if (lower === 'host') host = String(value);
    else if (lower !== 'content-length' && lower !== 'connection' && lower !== 'transfer-encoding') lines.push(`${name}: ${value}`);
  }
  let head = `${req.method} ${req.path} HTTP/1.1\r\nHost: ${host}\r\n`;
  for (const l of lines) head += `${l}\r\n`;
  if (body !== undefined || req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') {
    head += `Content-Length: ${body ? body.length : 0}\r\n`;
  }
  head += 'Connection: keep-alive\r\n\r\n';
  return body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
}

interface Parsed {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly reusable: boolean;
}

/**
 * Incremental HTTP/1.1 response parser. `push` bytes, then `result()` is set when the response is
 * complete; `end()` says the peer closed. Throws `EHTTP` on malformed input.
 */
class ResponseParser {
  private buf: Buffer = Buffer.alloc(0);
  private stage: 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'trailers' | 'close' | 'done' = 'head';
  private status = 0;
  private headers: Record<string, string> = {};
  private parts: Buffer[] = [];
  private bodyBytes = 0;
  private remaining = 0;
  private keepAlive = true;
  result: Parsed | undefined;

  constructor(
    private readonly method: string,
    private readonly where: string,
    private readonly maxHeader: number,
    private readonly maxBody: number,
  ) {}

  private bad(why: string): HalFailure {
    return failure('EHTTP', `${this.where}: malformed HTTP response: ${why}`);
  }

  private addBody(b: Buffer): void {
    this.bodyBytes += b.length;
    if (this.bodyBytes > this.maxBody) throw this.bad(`body larger than ${this.maxBody} bytes`);
    this.parts.push(b);
  }

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.stage === 'done') {
        if (this.buf.length) this.keepAlive = false; // unexpected extra bytes: do not reuse
        this.finish();
        return;
      }
      if (!this.step()) return;
    }
  }

  /** Advance one stage if the buffer allows; false when more bytes are needed. */
  private step(): boolean {
    const buf = this.buf;
    switch (this.stage) {
      case 'head': {
        // Not even the start of a status line: garbage, said at once rather than at the close.
        if (buf.length >= STATUS_PREFIX.length && buf.subarray(0, STATUS_PREFIX.length).toString('latin1') !== STATUS_PREFIX) {
          throw this.bad(`expected a status line starting "HTTP/", got ${JSON.stringify(buf.subarray(0, 16).toString('latin1'))}`);
        }
        const end = buf.indexOf(HEADER_END);
        if (end < 0) {
          if (buf.length > this.maxHeader) throw this.bad(`header block larger than ${this.maxHeader} bytes`);
          return false;
        }
        this.parseHead(buf.subarray(0, end).toString('latin1'));
        this.buf = buf.subarray(end + 4);
        return true;
      }
      case 'length': {
        if (buf.length === 0) return false;
        const n = Math.min(buf.length, this.remaining);
        this.addBody(buf.subarray(0, n));
        this.buf = buf.subarray(n);
        this.remaining -= n;
        if (this.remaining === 0) this.stage = 'done';
        return true;
      }
      case 'chunk-size': {
        const eol = buf.indexOf(CRLF);
        if (eol < 0) {
          if (buf.length > 1024) throw this.bad('chunk size line too long');
          return false;
        }
        const line = buf.subarray(0, eol).toString('latin1');
        const m = /^([0-9a-fA-F]+)[ \t]*(;.*)?$/.exec(line);
        if (!m || (m[1] as string).length > 8) throw this.bad(`bad chunk size ${JSON.stringify(line.substring(0, 20))}`);
        this.remaining = parseInt(m[1] as string, 16);
        this.buf = buf.subarray(eol + 2);
        this.stage = this.remaining === 0 ? 'trailers' : 'chunk-data';
        return true;
      }
      case 'chunk-data': {
        if (buf.length < this.remaining + 2) {
          // take what is there, keep the CRLF check for later
          if (buf.length > 0 && buf.length <= this.remaining) {
            this.addBody(buf);
            this.remaining -= buf.length;
            this.buf = Buffer.alloc(0);
          }
          return false;
        }
        this.addBody(buf.subarray(0, this.remaining));
        if (buf[this.remaining] !== 13 || buf[this.remaining + 1] !== 10) throw this.bad('chunk not followed by CRLF');
        this.buf = buf.subarray(this.remaining + 2);
        this.remaining = 0;
        this.stage = 'chunk-size';
        return true;
      }
      case 'trailers': {
        if (buf.length >= 2 && buf[0] === 13 && buf[1] === 10) {
          this.buf = buf.subarray(2);
          this.stage = 'done';
          return true;
        }
        const end = buf.indexOf(HEADER_END);
        if (end < 0) {
          if (buf.length > this.maxHeader) throw this.bad('trailers too long');
          return false;
        }
        this.buf = buf.subarray(end + 4);
        this.stage = 'done';
        return true;
      }
      case 'close': {
        if (buf.length) this.addBody(buf);
        this.buf = Buffer.alloc(0);
        return false;
      }
      default:
        return false;
    }
  }

  private parseHead(text: string): void {
    const lines = text.split('\r\n');
    const m = /^HTTP\/1\.([01]) (\d\d\d)( .*)?$/.exec(lines[0] as string);
    if (!m) throw this.bad(`bad status line ${JSON.stringify((lines[0] as string).substring(0, 40))}`);
    const status = +(m[2] as string);
    const headers: Record<string, string> = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string;
      const colon = line.indexOf(':');
      if (colon <= 0 || /[\s]/.test(line.substring(0, colon))) throw this.bad(`bad header line ${JSON.stringify(line.substring(0, 40))}`);
      const name = line.substring(0, colon).toLowerCase();
      const value = line.substring(colon + 1).trim();
      headers[name] = headers[name] !== undefined ? `${headers[name]}, ${value}` : value;
    }
    if (status >= 100 && status < 200) return; // interim (100 Continue): the real head follows
    this.status = status;
    this.headers = headers;
    const conn = (headers['connection'] ?? '').toLowerCase();
    this.keepAlive = m[1] === '1' ? conn.indexOf('close') < 0 : conn.indexOf('keep-alive') >= 0;
    const te = (headers['transfer-encoding'] ?? '').toLowerCase();
    const cl = headers['content-length'];
    if (this.method === 'HEAD' || status === 204 || status === 304) this.stage = 'done';
    else if (te !== '') {
      if (te.split(',').pop()?.trim() !== 'chunked') throw this.bad(`unsupported transfer-encoding ${JSON.stringify(te)}`);
      this.stage = 'chunk-size';
    } else if (cl !== undefined) {
      const values = cl.split(',').map((v) => v.trim());
      if (!/^\d+$/.test(values[0] as string) || values.some((v) => v !== values[0])) throw this.bad(`bad content-length ${JSON.stringify(cl)}`);
      this.remaining = +(values[0] as string);
      if (this.remaining > this.maxBody) throw this.bad(`body larger than ${this.maxBody} bytes`);
      this.stage = this.remaining === 0 ? 'done' : 'length';
    } else {
      this.stage = 'close';
      this.keepAlive = false;
    }
  }

  private finish(): void {
    if (this.result) return;
    this.result = { status: this.status, headers: this.headers, body: Buffer.concat(this.parts), reusable: this.keepAlive };
  }

  /** The peer closed: completes a read-until-close body; anything else is incomplete (false). */
  end(): boolean {
    if (this.stage === 'close') {
      this.keepAlive = false;
      this.stage = 'done';
      this.finish();
    }
    if (this.stage === 'done') this.finish();
    return this.result !== undefined;
  }
}

interface Idle {
  readonly key: string;
  readonly socket: Duplex;
  dead: boolean;
  readonly onGone: () => void;
}

/** Create the simulator's {@link Http}. */
export function createSimHttp(options?: SimHttpOptions): SimHttp {
  const connect = options?.connect ?? connectSocket;
  const maxBody = options?.maxBodyBytes ?? SIM_HTTP_DEFAULTS.maxBodyBytes;
  const maxHeader = options?.maxHeaderBytes ?? SIM_HTTP_DEFAULTS.maxHeaderBytes;
  const stats = { connections: 0, requests: 0 };
  let idle: Idle | undefined;

  const park = (key: string, socket: Duplex): void => {
    dropIdle();
    const entry: Idle = {
      key,
      socket,
      dead: false,
      onGone: () => {
        entry.dead = true;
        socket.destroy();
      },
    };
    socket.on('end', entry.onGone);
    socket.on('close', entry.onGone);
    socket.on('error', entry.onGone);
    (socket as Partial<Socket>).unref?.call(socket);
    idle = entry;
  };

  const take = (key: string): Duplex | undefined => {
    const entry = idle;
    if (!entry || entry.key !== key || entry.dead || entry.socket.destroyed) {
      dropIdle();
      return undefined;
    }
    idle = undefined;
    const s = entry.socket;
    s.removeListener('end', entry.onGone);
    s.removeListener('close', entry.onGone);
    s.removeListener('error', entry.onGone);
    (s as Partial<Socket>).ref?.call(s);
    return s;
  };

  function dropIdle(): void {
    if (!idle) return;
    idle.socket.destroy();
    idle = undefined;
  }

  /** One request/response on `socket`; rejects with a HAL failure (the socket is then destroyed). */
  const exchange = (socket: Duplex, data: Buffer, req: HttpRequest, where: string, timeoutMs: number) =>
    new Promise<{ parsed: Parsed; bytesIn: number }>((resolve, reject) => {
      const parser = new ResponseParser(req.method, where, maxHeader, maxBody);
      let bytesIn = 0;
      let settled = false;
      const cleanup = (): void => {
        clearTimeout(timer);
        socket.removeListener('data', onData);
        socket.removeListener('end', onEnd);
        socket.removeListener('close', onEnd);
        socket.removeListener('error', onError);
      };
      const done = (e: HalFailure | undefined): void => {
        if (settled) return;
        settled = true;
        cleanup();
        if (e) {
          socket.destroy();
          reject(e);
        } else resolve({ parsed: parser.result as Parsed, bytesIn });
      };
      const timer = setTimeout(
        () => done(failure('ETIMEOUT', `${where}: no complete response within ${req.timeoutMs} ms`)),
        Math.max(0, timeoutMs),
      );
      const onData = (chunk: Buffer): void => {
        bytesIn += chunk.length;
        try {
          parser.push(chunk);
        } catch (e) {
          done(e as HalFailure);
          return;
        }
        if (parser.result) done(undefined);
      };
      const onEnd = (): void => {
        if (parser.end()) {
          done(undefined);
          return;
        }
        const f = failure('ECONN', `${where}: connection closed after ${bytesIn} bytes of the response`);
        f.noResponse = bytesIn === 0;
        done(f);
      };
      const onError = (e: NodeJS.ErrnoException): void => {
        const f = mapError(e, where, false) as HalFailure & { noResponse?: boolean };
        f.noResponse = bytesIn === 0 && f.code === 'ECONN';
        done(f);
      };
      socket.on('data', onData);
      socket.on('end', onEnd);
      socket.on('close', onEnd);
      socket.on('error', onError);
      socket.write(data);
    });

  const request = async (req: HttpRequest): Promise<HttpResponse> => {
    const where = `${req.method} ${req.scheme}://${req.host}:${req.port}${req.path.split('?')[0]}`;
    const data = serialize(req);
    const key = connectionKey(req);
    const started = Date.now();
    const left = (): number => req.timeoutMs - (Date.now() - started);
    stats.requests++;
    for (let attempt = 0; ; attempt++) {
      let socket = attempt === 0 ? take(key) : undefined;
      const reused = socket !== undefined;
      if (!socket) {
        if (left() <= 0) throw failure('ETIMEOUT', `${where}: no complete response within ${req.timeoutMs} ms`);
        socket = await connect({ scheme: req.scheme, host: req.host, port: req.port, tls: req.tls, timeoutMs: left() });
        stats.connections++;
      }
      try {
        const { parsed, bytesIn } = await exchange(socket, data, req, where, left());
        if (parsed.reusable) park(key, socket);
        else socket.destroy();
        return { status: parsed.status, headers: parsed.headers, body: parsed.body.toString('utf8'), bytesOut: data.length, bytesIn };
      } catch (e) {
        // A kept-alive connection the server closed meanwhile: reconnect once, transparently.
        if (reused && (e as { noResponse?: boolean }).noResponse && left() > 0) continue;
        throw e;
      }
    }
  };

  return {
    request,
    close: () => dropIdle(),
    stats,
  };
}
