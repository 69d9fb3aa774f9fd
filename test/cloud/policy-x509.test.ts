/**
 * X.509 authentication (AWS IoT's port-8443 mutual TLS) on the local cloud, end to end with the
 * device's own parts: `dormouse cloud provision --x509` files, `loadDeviceConfig`, `ShadowClient`
 * and the simulator's HTTP client presenting the certificate. Own thing: allowed; another
 * thing: 403; no certificate, another CA's, or an unregistered one: refused at the TLS layer.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateTls } from '../../cloud/certs.js';
import { certificateIdOf, issueDeviceCert } from '../../cloud/device-certs.js';
import { DEVICE_KEYS_FILE, provisionThing, readCloudInfo } from '../../cloud/index.js';
import { cloudOptionsFromFlags, parseFlags } from '../../cloud/run.js';
import type { RunningCloud } from '../../cloud/index.js';
import { createSimHttp } from '../../hal/sim/http.js';
import { AwsError } from '../../src/aws-error.js';
import { loadDeviceConfig } from '../../src/config.js';
import type { DeviceConfig } from '../../src/config.js';
import { ShadowClient } from '../../src/shadow.js';
import { EXAMPLE_CREDENTIALS, send, startTestCloud, tempDir } from './support/cloud-fixture.js';

let cloud: RunningCloud;
let deviceDir: string;
let config: DeviceConfig;
const logs: string[] = [];

function readDir(dir: string): (name: string) => string | undefined {
  return (name) => {
    const f = path.join(dir, name);
    return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined;
  };
}

function client(c: DeviceConfig): ShadowClient {
  return new ShadowClient({ http: createSimHttp(), endpoint: c.endpoint, auth: { kind: 'x509' }, clock: { now: Date.now }, timeoutMs: 5000 });
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return String((e as { code?: unknown }).code);
  }
}

beforeAll(async () => {
  cloud = await startTestCloud({ mtlsPort: 0, log: (l) => logs.push(l), logRequests: true });
  deviceDir = tempDir();
  const r = await provisionThing({ dataDir: cloud.dataDir, thing: 'x1', outDir: deviceDir, auth: 'x509', env: {} });
  expect(r.auth).toBe('x509');
  config = loadDeviceConfig(readDir(deviceDir));
});
afterAll(async () => {
  await cloud.close();
});

describe('X.509 (mutual TLS)', () => {
  it('x509: provision --x509 writes cert.pem, key.pem (0600), ca.pem and a config with "auth": "x509" and the mTLS endpoint', () => {
    expect(fs.readdirSync(deviceDir).sort()).toEqual(['aws_iot_cfg.txt', 'ca.pem', 'cert.pem', 'key.pem']);
    expect(fs.statSync(path.join(deviceDir, 'key.pem')).mode & 0o777).toBe(0o600);
    expect(readCloudInfo(cloud.dataDir)?.mtlsEndpoint).toBe(`127.0.0.1:${cloud.mtlsPort}`);
    expect(config.auth).toBe('x509');
    expect(config.credentials).toBeUndefined();
    expect(config.endpoint).toMatchObject({ scheme: 'https', host: '127.0.0.1', port: cloud.mtlsPort });
    expect(config.endpoint.tls?.ca).toBe(cloud.caPem);
    expect(config.endpoint.tls?.cert).toContain('-----BEGIN CERTIFICATE-----');
    expect(config.endpoint.tls?.key).toContain('PRIVATE KEY-----');
    // The registry maps the certificate to the thing.
    const reg = JSON.parse(fs.readFileSync(path.join(cloud.dataDir, DEVICE_KEYS_FILE), 'utf8')) as { certs: { certificateId: string; thing: string }[] };
    expect(reg.certs).toContainEqual(expect.objectContaining({ certificateId: certificateIdOf(fs.readFileSync(path.join(deviceDir, 'cert.pem'), 'utf8')), thing: 'x1' }));
  });

  it('x509: ShadowClient over the simulator\'s HTTP with the certificate updates and gets its own thing, unsigned', async () => {
    const c = client(config);
    const up = await c.update('x1', { state: { reported: { via: 'x509' } } });
    expect(up.status).toBe(200);
    const got = await c.get('x1');
    expect(got.body.state?.reported).toEqual({ via: 'x509' });
    const named = await c.update('x1', { state: { reported: { n: 1 } } }, 'cfg');
    expect(named.status).toBe(200);
    expect((await c.listNamed('x1')).body.results).toEqual(['cfg']);
    expect((await c.publish('dt/x1/temp', '{"t":20}')).status).toBe(200);
    const h = cloud.store.history('x1');
    expect(h[0]?.keyId).toMatch(/^cert:[0-9a-f]{16}$/);
  });

  it('x509: the same certificate is refused with 403 ForbiddenException on another thing', async () => {
    const c = client(config);
    for (const attempt of [c.get('x2'), c.update('x2', { state: { reported: { a: 1 } } }), c.publish('dt/x2/temp', '{}')]) {
      const e = await attempt.then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(AwsError);
      expect(e).toMatchObject({ code: 'EAUTH', status: 403, type: 'ForbiddenException', serverMessage: 'Forbidden' });
    }
  });

  it('x509: without a client certificate the connection is refused at the TLS layer; no request reaches the handler', async () => {
    logs.length = 0;
    const noCert: DeviceConfig = { ...config, endpoint: { ...config.endpoint, tls: { ca: cloud.caPem } } };
    expect(await codeOf(client(noCert).get('x1'))).toBe('ETLS');
    expect(logs.filter((l) => l.startsWith('GET '))).toEqual([]);
  });

  it('x509: a certificate from another CA is refused at the TLS layer', async () => {
    logs.length = 0;
    const rogueDir = tempDir();
    await loadOrCreateTls(rogueDir, '127.0.0.1', 'us-east-1');
    const rogue = await issueDeviceCert(rogueDir, 'x1');
    const c: DeviceConfig = { ...config, endpoint: { ...config.endpoint, tls: { ca: cloud.caPem, cert: rogue.certPem, key: rogue.keyPem } } };
    // TLS 1.3: the client finishes its side of the handshake before the server's alert arrives, so
    // the simulator's client may report the alert as a closed connection.
    expect(['ETLS', 'ECONN']).toContain(await codeOf(client(c).get('x1')));
    expect(logs.filter((l) => l.startsWith('GET '))).toEqual([]);
  });

  it('x509: a certificate from the cloud\'s CA that is not registered to a thing gets its connection closed', async () => {
    logs.length = 0;
    const stray = await issueDeviceCert(cloud.dataDir, 'x1');
    const c: DeviceConfig = { ...config, endpoint: { ...config.endpoint, tls: { ca: cloud.caPem, cert: stray.certPem, key: stray.keyPem } } };
    const code = await codeOf(client(c).get('x1'));
    expect(['ECONN', 'ETLS']).toContain(code);
    expect(logs.join('\n')).toContain('mTLS: refused a client certificate');
    expect(logs.filter((l) => l.startsWith('GET '))).toEqual([]);
  });

  it('x509: a certificate provisioned while the cloud runs is accepted at once; SigV4 alone does not open the mTLS port', async () => {
    const dir = tempDir();
    await provisionThing({ dataDir: cloud.dataDir, thing: 'x3', outDir: dir, auth: 'x509', env: {} });
    const c = client(loadDeviceConfig(readDir(dir)));
    expect((await c.update('x3', { state: { reported: { a: 1 } } })).status).toBe(200);
    // A signed request (admin key) without a certificate cannot even connect.
    await expect(send({ port: cloud.mtlsPort as number, caPem: cloud.caPem }, { method: 'GET', path: '/things/x3/shadow', credentials: EXAMPLE_CREDENTIALS })).rejects.toThrow();
    // The HTTPS (SigV4) port does not take the certificate as a credential.
    const viaHttps = await new Promise<number>((resolve, reject) => {
      const tls = loadDeviceConfig(readDir(dir)).endpoint.tls;
      const req = https.request({ host: '127.0.0.1', port: cloud.port, path: '/things/x3/shadow', ca: cloud.caPem, cert: tls?.cert, key: tls?.key, servername: 'localhost' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(viaHttps).toBe(403);
  });

  it('x509: --mtls-port P turns the listener on (0: any port), --x509 on port 8444; provision flags are refused when serving', () => {
    const opts = (argv: string[]) => cloudOptionsFromFlags(parseFlags(argv).flags, { env: {} });
    expect(opts(['--mtls-port', '0']).mtlsPort).toBe(0);
    expect(opts(['--x509']).mtlsPort).toBe(8444);
    expect(opts([]).mtlsPort).toBeUndefined();
    expect(() => opts(['--shared'])).toThrow(/option of provision/);
  });

  it('x509: the start-up line names the mutual-TLS URL', () => {
    expect(cloud.banner).toContain(`X.509 https://127.0.0.1:${cloud.mtlsPort}`);
  });
});
