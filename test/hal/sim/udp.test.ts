import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimUdp } from '../../../hal/sim/udp.js';

const sockets: Socket[] = [];
afterEach(() => {
  while (sockets.length) sockets.pop()?.close();
});

async function udpServer(onMessage: (msg: Buffer, reply: (data: Uint8Array, from?: Socket) => void) => void): Promise<number> {
  const s = createSocket('udp4');
  sockets.push(s);
  s.on('message', (msg, rinfo) => onMessage(msg, (data, from) => (from ?? s).send(data, rinfo.port, rinfo.address)));
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  return s.address().port;
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a failure');
}

describe('sim udp', () => {
  it('sim udp: exchange sends the packet and resolves with the reply bytes', async () => {
    const port = await udpServer((msg, reply) => reply(new Uint8Array([...msg].reverse())));
    const r = await createSimUdp().exchange('127.0.0.1', port, new Uint8Array([1, 2, 3]), 1000);
    expect([...r]).toEqual([3, 2, 1]);
  });

  it('sim udp: resolves host names (localhost)', async () => {
    const port = await udpServer((msg, reply) => reply(msg));
    const r = await createSimUdp().exchange('localhost', port, new Uint8Array([7]), 1000);
    expect([...r]).toEqual([7]);
  });

  it('sim udp: a datagram from another address/port is ignored; the target\'s reply wins', async () => {
    const stranger = createSocket('udp4');
    sockets.push(stranger);
    await new Promise<void>((r) => stranger.bind(0, '127.0.0.1', r));
    const port = await udpServer((_msg, reply) => {
      reply(new Uint8Array([66]), stranger); // a stray from another port first
      setTimeout(() => reply(new Uint8Array([42])), 30);
    });
    const r = await createSimUdp().exchange('127.0.0.1', port, new Uint8Array([1]), 1000);
    expect([...r]).toEqual([42]);
  });

  it('sim udp: no reply is ETIMEOUT after timeoutMs', async () => {
    const port = await udpServer(() => undefined);
    const t0 = Date.now();
    const e = await failure(createSimUdp().exchange('127.0.0.1', port, new Uint8Array([1]), 200));
    expect(e.code).toBe('ETIMEOUT');
    expect(e.message).toContain(`127.0.0.1:${port}`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('sim udp: an unresolvable host is EDNS', async () => {
    const e = await failure(createSimUdp().exchange('nonexistent.invalid', 123, new Uint8Array([1]), 1000));
    expect(e.code).toBe('EDNS');
    expect(e.message).toContain('nonexistent.invalid');
  });

  it('sim udp: sockets are closed after each exchange (no handle leak)', async () => {
    const port = await udpServer((msg, reply) => reply(msg));
    const silent = await udpServer(() => undefined);
    const udp = createSimUdp();
    const handles = (): number => process.getActiveResourcesInfo().filter((h) => h === 'UDPWrap').length;
    const before = handles();
    for (let i = 0; i < 5; i++) await udp.exchange('127.0.0.1', port, new Uint8Array([i]), 500);
    for (let i = 0; i < 3; i++) expect((await failure(udp.exchange('127.0.0.1', silent, new Uint8Array([i]), 30))).code).toBe('ETIMEOUT');
    await new Promise((r) => setTimeout(r, 50));
    expect(handles()).toBeLessThanOrEqual(before);
  });
});
