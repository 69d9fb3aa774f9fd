/**
 * Replay of a captured signed request, byte for byte: accepted within AWS's 5-minute window (as
 * AWS accepts it: SigV4 has no nonce), refused after it with 403 `Signature expired` and the
 * server's Date. A `version` in an update turns a replay within the window into a 409.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCloud } from '../../cloud/index.js';
import { nodeCrypto } from '../../hal/sim/crypto.js';
import { SigV4Signer } from '../../src/sigv4.js';
import { EXAMPLE_CREDENTIALS, rawTls, readUntilClose, startTestCloud } from '../cloud/support/cloud-fixture.js';

const T0 = Date.parse('2025-06-01T12:00:00Z');
let serverNow = T0;
let cloud: RunningCloud;
const signer = new SigV4Signer({ crypto: nodeCrypto(), region: 'us-east-1', service: 'iotdata', credentials: EXAMPLE_CREDENTIALS });

beforeAll(async () => {
  cloud = await startTestCloud({ now: () => serverNow });
});
afterAll(async () => {
  await cloud.close();
});

/** A signed request as raw bytes on the wire, signed at `at`. */
function capture(method: string, path: string, body: string, at: number): Buffer {
  const host = `127.0.0.1:${cloud.port}`;
  const signed = signer.sign({ method, host, path, body }, { date: at }).headers;
  const lines = Object.keys(signed).map((k) => `${k}: ${signed[k] as string}`);
  const head = `${method} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body, 'utf8')]);
}

async function replay(bytes: Buffer): Promise<{ status: number; date: string; json: { message?: string; version?: number } }> {
  const s = await rawTls(cloud);
  s.write(bytes);
  const got = await readUntilClose(s, 5000);
  const [head = '', body = ''] = got.text.split('\r\n\r\n');
  const date = /\r\ndate: ([^\r]*)/i.exec(head)?.[1] ?? '';
  return { status: Number(head.split(' ')[1]), date, json: JSON.parse(body) as { message?: string; version?: number } };
}

describe('replay', () => {
  it('replay: the same bytes are accepted again 4 minutes later (AWS accepts replays within the window)', async () => {
    serverNow = T0;
    const bytes = capture('POST', '/things/r1/shadow', '{"state":{"reported":{"door":"open"}}}', T0);
    expect((await replay(bytes)).json.version).toBe(1);
    serverNow = T0 + 4 * 60_000;
    const again = await replay(bytes);
    expect(again.status).toBe(200);
    expect(again.json.version).toBe(2);
  });

  it('replay: the same bytes are refused with 403 Signature expired once 5 minutes have passed', async () => {
    serverNow = T0;
    const post = capture('POST', '/things/r1/shadow', '{"state":{"reported":{"door":"closed"}}}', T0);
    const get = capture('GET', '/things/r1/shadow', '', T0);
    serverNow = T0 + 5 * 60_000 + 1000;
    for (const bytes of [post, get]) {
      const r = await replay(bytes);
      expect(r.status).toBe(403);
      expect(r.json.message).toBe('Signature expired: 20250601T120000Z is now earlier than 20250601T120001Z (20250601T120501Z - 5 min.)');
      expect(Date.parse(r.date)).toBe(serverNow);
    }
    // Nothing was changed by the refused replay.
    serverNow = T0 + 6 * 60_000;
    const now = await replay(capture('GET', '/things/r1/shadow', '', serverNow));
    expect(now.json.version).toBe(2);
  });

  it('replay: an update that names the version it expects cannot be replayed even within the window (409)', async () => {
    serverNow = T0 + 10 * 60_000;
    const bytes = capture('POST', '/things/r1/shadow', '{"state":{"desired":{"unlock":true}},"version":2}', serverNow);
    expect((await replay(bytes)).json.version).toBe(3);
    serverNow += 30_000;
    const r = await replay(bytes);
    expect(r.status).toBe(409);
    expect(r.json.message).toBe('Version conflict');
  });
});
