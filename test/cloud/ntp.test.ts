/**
 * The cloud's SNTP responder: a well-formed server-mode reply from the host clock, echoing the
 * client's transmit timestamp; junk is ignored.
 */
import * as dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimUdp } from '../../hal/sim/udp.js';
import { decodeSntpResponse, sntpSync } from '../../src/sntp.js';
import type { RunningCloud } from '../../cloud/index.js';
import { startTestCloud } from './support/cloud-fixture.js';

let cloud: RunningCloud;
beforeAll(async () => {
  cloud = await startTestCloud();
});
afterAll(async () => {
  await cloud.close();
});

/** Send one datagram and wait for one answer (undefined after `ms`). */
function exchange(port: number, packet: Buffer, ms = 1000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      resolve(undefined);
    }, ms);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(m);
    });
    s.send(packet, port, '127.0.0.1');
  });
}

describe('SNTP responder', () => {
  it('ntp: a client request gets a server-mode reply echoing our transmit timestamp', async () => {
    const req = Buffer.alloc(48);
    req[0] = (0 << 6) | (4 << 3) | 3; // LI 0, version 4, mode 3 (client)
    req[2] = 6; // poll
    // Transmit timestamp: an arbitrary NTP time, written by hand (seconds since 1900, fraction).
    req.writeUInt32BE(0xe8f1a2b3, 40);
    req.writeUInt32BE(0x12345678, 44);
    const before = Date.now();
    const reply = await exchange(cloud.ntpPort as number, req);
    const after = Date.now();
    expect(reply).toBeDefined();
    const r = reply as Buffer;
    expect(r.length).toBe(48);
    expect(r[0]! & 7).toBe(4); // server
    expect((r[0]! >> 3) & 7).toBe(4); // our version
    expect(r[0]! >> 6).toBe(0); // no leap alarm
    expect(r[1]).toBeGreaterThanOrEqual(1);
    expect(r[1]).toBeLessThanOrEqual(15);
    expect(r.subarray(24, 32)).toEqual(req.subarray(40, 48));
    const ntpToMs = (at: number): number => (r.readUInt32BE(at) - 2208988800) * 1000 + (r.readUInt32BE(at + 4) / 2 ** 32) * 1000;
    expect(ntpToMs(40)).toBeGreaterThanOrEqual(before - 1);
    expect(ntpToMs(40)).toBeLessThanOrEqual(after + 1);
    expect(ntpToMs(32)).toBeLessThanOrEqual(ntpToMs(40));
  });

  it('ntp: the project\'s SNTP client syncs against it with a tiny offset', async () => {
    const clock = { now: () => Date.now() };
    const r = await sntpSync(createSimUdp(), clock, { host: '127.0.0.1', port: cloud.ntpPort as number, timeoutMs: 1000, retries: 1 });
    expect(Math.abs(r.offsetMs)).toBeLessThan(50);
    expect(r.stratum).toBeGreaterThanOrEqual(1);
  });

  it('ntp: the reply passes the client codec\'s checks', async () => {
    const req = Buffer.alloc(48);
    req[0] = 0x1b; // version 3, client
    req.writeUInt32BE(0xe8000000, 40);
    const reply = await exchange(cloud.ntpPort as number, req);
    expect(() => decodeSntpResponse(new Uint8Array(reply as Buffer), new Uint8Array(req))).not.toThrow();
  });

  it('ntp: junk and server-mode packets get no answer, and the responder keeps answering', async () => {
    expect(await exchange(cloud.ntpPort as number, Buffer.from('hello'), 300)).toBeUndefined();
    const serverMode = Buffer.alloc(48);
    serverMode[0] = 0x24;
    expect(await exchange(cloud.ntpPort as number, serverMode, 300)).toBeUndefined();
    const ok = Buffer.alloc(48);
    ok[0] = 0x23;
    expect(await exchange(cloud.ntpPort as number, ok)).toBeDefined();
  });
});
