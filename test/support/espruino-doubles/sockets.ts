/**
 * Doubles of Espruino's `net` and `tls` modules (libs/network/jswrap_net.c, socketserver.c,
 * network.c), over real Node sockets so a sandboxed bundle talks to a real local cloud.
 *
 * Espruino's behaviour, imitated:
 * - `connect` resolves the name and connects synchronously: an unknown name throws
 *   `InternalError: Unable to locate host`, a refused connection `Unable to create socket`
 *   (probed here with a synchronous child process), TLS material that mbedTLS cannot parse
 *   `HTTPS init failed! mbedtls_x509_crt_parse of 'ca': Invalid format` (PEM is not parsed:
 *   the Linux build has no PEM support; a string of 100 chars or fewer is taken as a file name).
 * - `connect` fires as soon as TCP is up (before the TLS handshake); `drain` fires when all
 *   queued data has been sent (on TLS, after the handshake), and once at connect when nothing
 *   was queued.
 * - `data` delivers 8-bit strings of at most 536 bytes, one per event-loop turn.
 * - The peer closing fires `end` then `close(false)`; a close while data was still queued fires
 *   `error({code: -8, message: 'unsent data'})`, `end`, `close(true)`. Network errors are plain
 *   closes (Espruino's drivers report -1, "connection closed", which raises no `error`).
 * - A TLS handshake that fails (dormouse firmware with a `ca`) closes as above, then reports an
 *   uncaught `InternalError: mbedtls_ssl_handshake returned -0x2700`.
 * - `write` after `end` or close throws `This socket is closed`.
 *
 * Firmware flavours: `stock-esp32` (no verification, SNI "mbed TLS Server 1"), `stock-linux`
 * (no verification, no SNI), `dormouse` (verified against `ca` when given, SNI = `servername`
 * or `host`).
 */
import { spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { internalError, bytesOf8bit, latin1 } from './realm.js';

/** Which Espruino TLS the double imitates. */
export type FirmwareFlavour = 'stock-esp32' | 'stock-linux' | 'dormouse';

/** Espruino's network chunk size (network_esp32.c, network_linux.c). */
export const CHUNK_SIZE = 536;

/** What the socket doubles need from their world. */
export interface SocketEnv {
  readonly flavour: FirmwareFlavour;
  /** Extra host names that resolve (name → IPv4). `localhost` and IPv4 literals always do. */
  readonly hosts: Readonly<Record<string, string>>;
  /** Schedules a callback as Espruino's idle loop would; dropped once the wake ended. */
  queue(fn: () => void): void;
  /** Reports an uncaught InternalError (process.on('uncaughtException')). */
  uncaught(e: unknown): void;
  /** Sockets opened by this wake, closed when it ends. */
  readonly open: Set<net.Socket>;
  /** Every connection attempt, for assertions. */
  readonly log: { host: string; port: number; tls: boolean; servername?: string; ca: boolean }[];
}

/** Resolve like Espruino's gethostbyname: synchronously, or throw. */
export function resolveHost(env: SocketEnv, host: string): string {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return host;
  if (host === 'localhost') return '127.0.0.1';
  const mapped = env.hosts[host];
  if (mapped !== undefined) return mapped;
  throw internalError('Unable to locate host');
}

function probe(ip: string, port: number): boolean {
  const script = `const s=require('net').connect(${port},${JSON.stringify(ip)});s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1));setTimeout(()=>process.exit(1),3000);`;
  return spawnSync(process.execPath, ['-e', script], { timeout: 5000 }).status === 0;
}

function derToPem(der: string): string {
  const b64 = Buffer.from(der, 'latin1').toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

function checkDer(value: unknown, field: string): string {
  const s = String(value);
  // A DER structure starts with a SEQUENCE tag; PEM text or a file name does not parse.
  if (s.length <= 100 || s.charCodeAt(0) !== 0x30) {
    throw internalError(`HTTPS init failed! mbedtls_${field === 'key' ? 'pk_parse_key' : 'x509_crt_parse'} of '${field}': Invalid format`);
  }
  bytesOf8bit(s, `tls option ${field}`);
  return s;
}

type Listener = (...args: unknown[]) => void;

/**
 * Host name check as mbedTLS 2.x does it (x509_crt_verify_name): against the certificate's DNS
 * names (a leading `*.` matches one label), or its CN when it has none. IP address entries are
 * never matched, so a device must name the server by a DNS name of its certificate.
 */
export function mbedtlsNameCheck(name: string, cert: tls.PeerCertificate): Error | undefined {
  const entries = (cert.subjectaltname || '').split(', ').filter((e) => e.startsWith('DNS:')).map((e) => e.slice(4).toLowerCase());
  const candidates = entries.length > 0 ? entries : [String(cert.subject?.CN || '').toLowerCase()];
  const n = name.toLowerCase();
  const ok = candidates.some((c) => c === n || (c.startsWith('*.') && n.indexOf('.') > 0 && n.slice(n.indexOf('.')) === c.slice(1)));
  return ok ? undefined : Object.assign(new Error(`certificate name mismatch: ${name} not in ${candidates.join(', ')}`), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
}

/** `require('net')` or `require('tls')`. */
export function createSocketModule(env: SocketEnv, useTls: boolean): Record<string, unknown> {
  return {
    connect(options: Record<string, unknown>, onConnect?: Listener): Record<string, unknown> {
      if (options === null || typeof options !== 'object') throw internalError('Expecting Options to be an Object');
      const host = options.host === undefined ? '127.0.0.1' : String(options.host);
      const port = Number(options.port) || (useTls ? 443 : 80);
      const ip = resolveHost(env, host);
      let ca: string | undefined;
      let cert: string | undefined;
      let key: string | undefined;
      if (useTls) {
        if (options.ca !== undefined) ca = checkDer(options.ca, 'ca');
        if (options.cert !== undefined) cert = checkDer(options.cert, 'cert');
        if (options.key !== undefined) key = checkDer(options.key, 'key');
      }
      if (!probe(ip, port)) {
        // jsError("Connect failed (err 111)") is printed, then the exception is thrown.
        throw internalError('Unable to create socket');
      }
      const servername = useTls && env.flavour === 'dormouse' && typeof options.servername === 'string' ? options.servername : host;
      env.log.push({ host, port, tls: useTls, servername: useTls ? servername : undefined, ca: ca !== undefined });

      const listeners: Record<string, Listener[]> = {};
      const emit = (event: string, ...args: unknown[]): void => {
        env.queue(() => {
          for (const fn of listeners[event] || []) fn(...args);
        });
      };
      let pending = 0;
      let queuedBeforeConnect = false;
      let ended = false;
      let closed = false;
      let connected = false;
      let handshakeFailed = false;
      let secured = false;
      let held = 0;

      let sock: net.Socket;
      if (useTls) {
        const verify = env.flavour === 'dormouse' && ca !== undefined;
        const o: tls.ConnectionOptions = {
          host: ip,
          port,
          rejectUnauthorized: verify,
          ca: ca !== undefined ? derToPem(ca) : undefined,
          checkServerIdentity: (_h, c) => (verify ? mbedtlsNameCheck(servername, c) : undefined),
        };
        if (cert !== undefined) o.cert = derToPem(cert);
        if (key !== undefined) o.key = keyDerToPem(key);
        if (env.flavour === 'stock-esp32') o.servername = 'mbed TLS Server 1';
        else if (env.flavour === 'dormouse' && !/^\d+\.\d+\.\d+\.\d+$/.test(servername)) o.servername = servername;
        sock = tls.connect(o);
      } else {
        sock = net.connect(port, ip);
      }
      env.open.add(sock);
      sock.on('connect', () => {
        connected = true;
        emit('connect', api);
        if (pending === 0 && !queuedBeforeConnect) emit('drain', api);
      });
      sock.on('secureConnect', () => {
        secured = true;
        if (held > 0) {
          pending -= held;
          held = 0;
          if (pending === 0) emit('drain', api);
        }
      });
      sock.on('data', (buf: Buffer) => {
        for (let i = 0; i < buf.length; i += CHUNK_SIZE) emit('data', latin1(buf.subarray(i, i + CHUNK_SIZE)));
      });
      sock.on('error', (e: NodeJS.ErrnoException) => {
        if (useTls && !handshakeFailed && (e.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || e.code === 'ERR_TLS_CERT_ALTNAME_INVALID' ||
          e.code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || e.code === 'SELF_SIGNED_CERT_IN_CHAIN' || e.code === 'CERT_SIGNATURE_FAILURE' ||
          /certificate|self.signed|altname/i.test(e.message))) {
          handshakeFailed = true;
        }
      });
      sock.on('close', () => {
        env.open.delete(sock);
        if (closed) return;
        closed = true;
        const unsent = pending > 0;
        if (unsent) emit('error', { code: -8, message: 'unsent data' });
        emit('end');
        emit('close', unsent);
        // Measured on the Linux build: the uncaught mbedTLS error follows the close events.
        if (handshakeFailed) env.queue(() => env.uncaught(internalError('mbedtls_ssl_handshake returned -0x2700')));
      });
      if (onConnect !== undefined) (listeners.connect ||= []).push(onConnect);

      const api: Record<string, unknown> = {
        write(data: unknown): boolean {
          if (ended || closed) throw internalError('This socket is closed');
          const text = String(data);
          const bytes = bytesOf8bit(text, 'socket.write');
          if (!connected) queuedBeforeConnect = true;
          pending++;
          sock.write(bytes, (err) => {
            if (err) return; // never sent: the close reports unsent data
            // Espruino sends nothing before its TLS handshake is done: count it sent only then.
            if (useTls && !secured) {
              held++;
              return;
            }
            pending--;
            if (pending === 0) emit('drain', api);
          });
          return false;
        },
        end(data?: unknown): void {
          if (data !== undefined) (api.write as (d: unknown) => boolean)(data);
          ended = true;
          sock.end();
        },
        on(event: string, fn: Listener): void {
          (listeners[event] ||= []).push(fn);
        },
        removeAllListeners(event?: string): void {
          if (event === undefined) for (const k of Object.keys(listeners)) delete listeners[k];
          else delete listeners[event];
        },
      };
      return api;
    },
  };
}

function keyDerToPem(der: string): string {
  const buf = Buffer.from(der, 'latin1');
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      return createPrivateKey({ key: buf, format: 'der', type }).export({ format: 'pem', type: 'pkcs8' }).toString();
    } catch {
      // try the next encoding
    }
  }
  throw internalError("HTTPS init failed! mbedtls_pk_parse_key: Invalid format");
}
