/**
 * The simulator's {@link Udp} over `node:dgram`: one socket per exchange, resolving with the
 * first datagram that comes back from the target (strays from other addresses are dropped).
 * Failures are HAL failures: `EDNS` (name did not resolve), `ETIMEOUT`, `EUDP`. The socket is
 * always closed.
 */
import { lookup } from 'node:dns';
import { createSocket } from 'node:dgram';
import type { HalErrorCode, HalFailure, Udp } from '../hal.js';

/** A {@link HalFailure} with `code` and a message saying what happened. */
function failure(code: HalErrorCode, message: string): HalFailure {
  return Object.assign(new Error(message), { code });
}

/** A {@link Udp} on real sockets. */
export function createSimUdp(): Udp {
  return {
    exchange(host, port, packet, timeoutMs) {
      const where = `${host}:${port}`;
      return new Promise<Uint8Array>((resolve, reject) => {
        lookup(host, { family: 0 }, (lookupErr, address, family) => {
          if (lookupErr) {
            reject(failure('EDNS', `UDP ${where}: host name did not resolve (${lookupErr.code ?? lookupErr.message})`));
            return;
          }
          const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
          let done = false;
          const finish = (e: HalFailure | undefined, data?: Uint8Array): void => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            try {
              socket.close();
            } catch {
              // already closed
            }
            if (e) reject(e);
            else resolve(data as Uint8Array);
          };
          const timer = setTimeout(
            () => finish(failure('ETIMEOUT', `UDP ${where}: no reply within ${timeoutMs} ms`)),
            timeoutMs,
          );
          socket.on('error', (e: NodeJS.ErrnoException) => finish(failure('EUDP', `UDP ${where}: ${e.code ?? e.message}`)));
          socket.on('message', (msg, rinfo) => {
            if (rinfo.address !== address || rinfo.port !== port) return;
            finish(undefined, new Uint8Array(msg));
          });
          socket.send(packet, port, address, (e) => {
            if (e) finish(failure('EUDP', `UDP ${where}: send failed (${(e as NodeJS.ErrnoException).code ?? e.message})`));
          });
        });
      });
    },
  };
}
