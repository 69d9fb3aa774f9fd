/**
 * One-datagram exchanges over Espruino's `dgram` (libs/network/jswrap_net.c): the SNTP codec of
 * the core runs over it. Espruino sends and receives 8-bit strings, never calls `send`'s
 * callback, and does not report a name that failed to resolve (the datagram just goes nowhere),
 * so a missing reply is a timeout. Only a reply from the port we sent to is accepted.
 */
import type { Udp } from '../hal.js';
import { halError, thrownText } from './errors.js';
import { after, dgramModule } from './espruino.js';
import { byteString, bytesOf } from './text.js';

/** The HAL's {@link Udp} on Espruino. */
export function createEsp32Udp(): Udp {
  return {
    exchange(host: string, port: number, packet: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
      return new Promise<Uint8Array>((resolve, reject) => {
        let sock: EspruinoDgramSocket;
        try {
          sock = dgramModule().createSocket('udp4');
        } catch (e) {
          reject(halError('EUDP', `udp: no socket: ${thrownText(e)}`));
          return;
        }
        let done = false;
        const finish = (err: Error | undefined, reply?: Uint8Array): void => {
          if (done) return;
          done = true;
          cancel();
          try {
            sock.close();
          } catch (_e) { /* closed already */ }
          if (err !== undefined) reject(err);
          else resolve(reply as Uint8Array);
        };
        const cancel = after(timeoutMs, () => finish(halError('ETIMEOUT', `udp: no reply from ${host}:${port} within ${timeoutMs} ms`)));
        sock.on('message', (msg, rinfo) => {
          if (rinfo && typeof rinfo.port === 'number' && rinfo.port !== port) return;
          finish(undefined, bytesOf(msg));
        });
        sock.on('error', (err) => {
          finish(halError('EUDP', `udp: ${host}:${port}: ${err && err.message ? err.message : 'socket error'}`));
        });
        try {
          sock.send(byteString(packet), port, host);
        } catch (e) {
          const text = thrownText(e);
          finish(halError(text.indexOf('locate host') >= 0 ? 'EDNS' : 'EUDP', `udp: sending to ${host}:${port} failed: ${text}`));
        }
      });
    },
  };
}
