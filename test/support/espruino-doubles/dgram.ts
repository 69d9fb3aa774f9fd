/**
 * A double of Espruino's `dgram` module (libs/network/jswrap_net.c): `createSocket('udp4')`,
 * `send(msg, port, host)` (or `send(msg, offset, length, port, host)`) with an 8-bit string
 * (anything else is turned into a string first, as `jsvAsString` does: a Uint8Array becomes
 * "1,2,3"), a send callback that never fires, a name that does not resolve silently sending
 * nothing, and `message(msg, {address, port, size})` with 8-bit strings.
 */
import dgram from 'node:dgram';
import { bytesOf8bit, latin1, type Realm } from './realm.js';
import type { SocketEnv } from './sockets.js';

/** `require('dgram')`. */
export function createDgramModule(env: SocketEnv, realm: Realm, sent: { host: string; port: number; bytes: number }[]): Record<string, unknown> {
  return {
    createSocket(_type: unknown): Record<string, unknown> {
      const listeners: Record<string, ((...a: unknown[]) => void)[]> = {};
      let sock: dgram.Socket | undefined;
      const ensure = (): dgram.Socket => {
        if (sock === undefined) {
          sock = dgram.createSocket('udp4');
          sock.on('message', (msg, rinfo) => {
            env.queue(() => {
              for (const fn of listeners.message || []) fn(latin1(msg), realm.clone({ address: rinfo.address, port: rinfo.port, size: rinfo.size }));
            });
          });
          sock.on('error', () => undefined);
          sock.unref();
          env.open.add(sock as unknown as import('node:net').Socket);
        }
        return sock;
      };
      const api: Record<string, unknown> = {
        send(msg: unknown, a: unknown, b: unknown, c?: unknown, d?: unknown): void {
          let text = String(msg);
          let port: number;
          let host: string;
          if (typeof c === 'number' || (c !== undefined && d !== undefined)) {
            text = text.substring(Number(a), Number(a) + Number(b));
            port = Number(c);
            host = String(d);
          } else {
            port = Number(a);
            host = String(b);
          }
          const bytes = bytesOf8bit(text, 'dgram send');
          let ip: string | undefined;
          if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) ip = host;
          else if (host === 'localhost') ip = '127.0.0.1';
          else ip = env.hosts[host];
          sent.push({ host, port, bytes: bytes.length });
          if (ip === undefined) return; // Espruino sends to nowhere
          ensure().send(bytes, port, ip);
        },
        bind(port: number, cb?: (s: unknown) => void): unknown {
          ensure().bind(port);
          if (cb) env.queue(() => cb(api));
          return api;
        },
        on(event: string, fn: (...a: unknown[]) => void): void {
          (listeners[event] ||= []).push(fn);
        },
        close(): void {
          if (sock !== undefined) {
            const s = sock;
            sock = undefined;
            env.open.delete(s as unknown as import('node:net').Socket);
            try {
              s.close();
            } catch {
              // closed
            }
          }
          env.queue(() => {
            for (const fn of listeners.close || []) fn(false);
          });
        },
      };
      return api;
    },
  };
}
