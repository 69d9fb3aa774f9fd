/**
 * The device verifies the server: configured with the local cloud's CA (as a board is with
 * Amazon Root CA 1), a wake through `boot()` and the simulator's real TLS client refuses a
 * server whose certificate comes from another CA, or names another host. The status says
 * `error: ETLS: …`, no request reaches that server, and the device still goes to sleep.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CERT_FILES, issueServerCert, loadOrCreateTls } from '../../cloud/certs.js';
import type { RunningCloud } from '../../cloud/index.js';
import { boot } from '../../firmware/app.js';
import { EXAMPLE_CREDENTIALS, startTestCloud, tempDir } from '../cloud/support/cloud-fixture.js';
import { realNetDevice } from './support/device-hal.js';

let cloud: RunningCloud;
const servers: https.Server[] = [];

beforeAll(async () => {
  cloud = await startTestCloud();
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await cloud.close();
});

/** An HTTPS server that answers like a shadow service and counts the requests that reach it. */
async function impostor(certPem: string, keyPem: string): Promise<{ port: number; requests: () => number }> {
  let n = 0;
  const s = https.createServer({ cert: certPem, key: keyPem }, (_req, res) => {
    n++;
    res.setHeader('Content-Type', 'application/json');
    res.end('{"state":{"desired":{"signal":1}},"version":1,"timestamp":1}');
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { port: (s.address() as AddressInfo).port, requests: () => n };
}

function deviceFiles(endpoint: string): Record<string, string> {
  return {
    'aws_iot_cfg.txt': JSON.stringify({ region: 'us-east-1', endpoint, thing: 'tls-1', ca: 'ca.pem', ntp: `127.0.0.1:${cloud.ntpPort}` }),
    'aws_credentials.txt': JSON.stringify({ akey: EXAMPLE_CREDENTIALS.accessKeyId, skey: EXAMPLE_CREDENTIALS.secretAccessKey }),
    'ca.pem': cloud.caPem,
  };
}

describe('device TLS verification', () => {
  it('tls: the device with the cloud\'s CA talks to the cloud (control)', async () => {
    const d = realNetDevice(deviceFiles(`127.0.0.1:${cloud.port}`));
    const s = await boot(d.hal);
    expect(s.status).toMatch(/^done: /);
    expect(d.mem.sleeps.length).toBe(1);
  });

  it('tls: a server with a certificate from another CA is refused: ETLS, no request reaches it, the device sleeps', async () => {
    const otherDir = tempDir();
    const other = await loadOrCreateTls(otherDir, '127.0.0.1', 'us-east-1');
    const srv = await impostor(other.certPem, other.keyPem);
    for (const host of ['127.0.0.1', 'localhost']) {
      const d = realNetDevice(deviceFiles(`${host}:${srv.port}`));
      const s = await boot(d.hal);
      expect(s.status).toMatch(/^error: ETLS: /);
      expect(s.error).toBe('ETLS');
      expect(d.mem.sleeps.length).toBe(1);
    }
    expect(srv.requests()).toBe(0);
  });

  it('tls: a certificate from the right CA for another host name is refused (by name and by IP address)', async () => {
    const leaf = await issueServerCert(cloud.caPem, fs.readFileSync(path.join(cloud.dataDir, CERT_FILES.caKey), 'utf8'), ['other.example']);
    const srv = await impostor(leaf.certPem + cloud.caPem, leaf.keyPem);
    for (const host of ['localhost', '127.0.0.1']) {
      const d = realNetDevice(deviceFiles(`${host}:${srv.port}`));
      const s = await boot(d.hal);
      expect(s.status).toMatch(/^error: ETLS: .*(altnames|Hostname|IP)/);
      expect(d.mem.sleeps.length).toBe(1);
    }
    expect(srv.requests()).toBe(0);
  });
});
