/**
 * The `dormouse cloud` command (start-up line, cloud.json, provision) and the other commands
 * of the CLI that talk to the local cloud (`dormouse sign`).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../../cli/main.js';
import { runCloudCommand } from '../../cloud/run.js';
import { readCloudInfo } from '../../cloud/index.js';
import { loadDeviceConfig } from '../../src/config.js';
import { parseCredentialsFile } from '../../src/credentials.js';
import { EXAMPLE_CREDENTIALS, seededDir, send, startTestCloud, tempDir } from './support/cloud-fixture.js';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

const exampleEnv = { AWS_ACCESS_KEY_ID: EXAMPLE_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: EXAMPLE_CREDENTIALS.secretAccessKey };

describe('dormouse cloud', () => {
  it('cli: prints one line with URL, CA path and key id once it accepts requests, writes cloud.json, removes it on stop', async () => {
    const dir = await seededDir();
    const out = capture();
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((r) => (stop = r));
    const running = runCloudCommand(['--port', '0', '--ntp-port', '0', '--data', dir, '--quiet'], { stdout: out.stream, stderr: out.stream, env: exampleEnv, cwd: dir }, stopped);
    let info = undefined as ReturnType<typeof readCloudInfo>;
    for (let i = 0; i < 200 && info === undefined; i++) {
      await new Promise((r) => setTimeout(r, 25));
      info = fs.existsSync(path.join(dir, 'cloud.json')) ? readCloudInfo(dir) : undefined;
    }
    expect(info).toBeDefined();
    const port = Number(info?.endpoint.split(':')[1]);
    expect(info).toMatchObject({ endpoint: `127.0.0.1:${port}`, region: 'us-east-1', ca: 'ca.pem', keyId: 'AKIDEXAMPLE', pid: process.pid });
    expect(typeof info?.ntpPort).toBe('number');
    const lines = out.text().split('\n').filter((l) => l.startsWith('dormouse cloud:'));
    expect(lines.length).toBe(1);
    expect(lines[0]).toContain(`https://127.0.0.1:${port}`);
    expect(lines[0]).toContain(path.join(dir, 'ca.pem'));
    expect(lines[0]).toContain('AKIDEXAMPLE');
    expect(out.text()).not.toContain(EXAMPLE_CREDENTIALS.secretAccessKey);
    const caPem = fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8');
    expect((await send({ port, caPem }, { method: 'GET', path: '/things/x/shadow' })).status).toBe(404);
    stop();
    expect(await running).toBe(0);
    expect(fs.existsSync(path.join(dir, 'cloud.json'))).toBe(false);
  });

  it('cli: without keys in the environment it creates one pair in DIR/aws_credentials.txt (0600) and keeps it', async () => {
    const dir = await seededDir();
    const a = await startTestCloud({ dataDir: dir, credentials: undefined, env: {} });
    const file = path.join(dir, 'aws_credentials.txt');
    const creds = parseCredentialsFile(fs.readFileSync(file, 'utf8'));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(creds.accessKeyId).toMatch(/^AKIDLOCAL[A-Z0-9]{11}$/);
    expect(a.credentials).toEqual(creds);
    expect(a.credentialSource).toBe('generated');
    await a.close();
    const b = await startTestCloud({ dataDir: dir, credentials: undefined, env: {} });
    try {
      expect(b.credentials).toEqual(creds);
      expect(b.credentialSource).toBe('file');
      expect((await send(b, { method: 'GET', path: '/things/x/shadow', credentials: creds })).status).toBe(404);
    } finally {
      await b.close();
    }
  });

  it('cli: a second cloud on the same data directory is refused', async () => {
    const dir = await seededDir();
    const a = await startTestCloud({ dataDir: dir });
    try {
      await expect(startTestCloud({ dataDir: dir })).rejects.toThrow(/no other cloud uses/);
    } finally {
      await a.close();
    }
  });

  it('cli: an unknown flag is a usage error (exit 2)', async () => {
    const err = capture();
    expect(await run(['cloud', '--bogus'], { stdout: err.stream, stderr: err.stream, env: {}, cwd: tempDir() })).toBe(2);
    expect(err.text()).toContain('unknown option --bogus');
  });

  it('cli: provision writes aws_credentials.txt, aws_iot_cfg.txt and ca.pem that the device config loader accepts', async () => {
    const cloud = await startTestCloud();
    try {
      const out = tempDir();
      const io = capture();
      const code = await run(['cloud', 'provision', 'dev-1', '--out', out, '--data', cloud.dataDir], { stdout: io.stream, stderr: io.stream, env: exampleEnv, cwd: out });
      expect(code, io.text()).toBe(0);
      expect(fs.readdirSync(out).sort()).toEqual(['aws_credentials.txt', 'aws_iot_cfg.txt', 'ca.pem']);
      expect(fs.readFileSync(path.join(out, 'ca.pem'), 'utf8')).toBe(cloud.caPem);
      // A key of the device's own (not the cloud's admin key), accepted by the running cloud at once.
      const deviceKey = parseCredentialsFile(fs.readFileSync(path.join(out, 'aws_credentials.txt'), 'utf8'));
      expect(deviceKey.accessKeyId).toMatch(/^AKIDDEVICE[A-Z0-9]{10}$/);
      expect(deviceKey.accessKeyId).not.toBe(EXAMPLE_CREDENTIALS.accessKeyId);
      expect((await send(cloud, { method: 'POST', path: '/things/dev-1/shadow', body: '{"state":{"reported":{"a":1}}}', credentials: deviceKey })).status).toBe(200);
      const cfg = loadDeviceConfig((name) => {
        const f = path.join(out, name);
        return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined;
      });
      expect(cfg.region).toBe('us-east-1');
      expect(cfg.thing).toBe('dev-1');
      expect(cfg.endpoint).toMatchObject({ scheme: 'https', host: '127.0.0.1', port: cloud.port });
      expect(cfg.endpoint.tls?.ca).toBe(cloud.caPem);
      expect(cfg.ntp).toEqual({ host: '127.0.0.1', port: cloud.ntpPort });
      expect(cfg.credentials).toEqual(deviceKey);
      expect(io.text()).not.toContain(EXAMPLE_CREDENTIALS.secretAccessKey);
    } finally {
      await cloud.close();
    }
  });

  it('cli: provision refuses a thing name AWS would refuse', async () => {
    const io = capture();
    expect(await run(['cloud', 'provision', 'bad name', '--out', tempDir(), '--data', tempDir()], { stdout: io.stream, stderr: io.stream, env: exampleEnv, cwd: tempDir() })).toBe(1);
    expect(io.text()).toContain('thing name');
  });
});

describe('other commands against the local cloud', () => {
  it('cli: the headers `dormouse sign --json` prints are accepted by the cloud', async () => {
    const cloud = await startTestCloud();
    try {
      const io = capture();
      const body = '{"state":{"reported":{"via":"dormouse sign"}}}';
      const code = await run(
        ['sign', '--json', '--method', 'POST', '--url', `https://127.0.0.1:${cloud.port}/things/signed/shadow`, '--region', 'us-east-1', '--service', 'iotdata', '--body', body],
        { stdout: io.stream, stderr: io.stream, env: exampleEnv, cwd: tempDir() },
      );
      expect(code, io.text()).toBe(0);
      const signed = JSON.parse(io.text()) as { headers: Record<string, string> };
      const r = await send(cloud, { method: 'POST', path: '/things/signed/shadow', sign: false, body, headers: signed.headers });
      expect(r.status).toBe(200);
      expect(r.json.state.reported.via).toBe('dormouse sign');
    } finally {
      await cloud.close();
    }
  });
});

describe('dormouse shadow against the local cloud', () => {
  it('cli: dormouse shadow update, get, list, history and delete work against the cloud found through cloud.json', async () => {
    const cloud = await startTestCloud();
    try {
      const cwd = tempDir();
      const sh = async (...args: string[]): Promise<{ code: number; out: string }> => {
        const io = capture();
        const code = await run(['shadow', ...args, '--cloud-dir', cloud.dataDir], { stdout: io.stream, stderr: io.stream, env: exampleEnv, cwd });
        return { code, out: io.text() };
      };
      const up = await sh('update', 'cli-1', '--desired', 'sleep=60', '--raw');
      expect(up.code, up.out).toBe(0);
      expect(JSON.parse(up.out).version).toBe(1);
      expect((await sh('update', 'cli-1', '--reported', 'sleep=30', '--name', 'cfg')).code).toBe(0);
      const got = await sh('get', 'cli-1', '--raw');
      expect(got.code, got.out).toBe(0);
      expect(JSON.parse(got.out).state.delta).toEqual({ sleep: 60 });
      const list = await sh('list', 'cli-1', '--raw');
      expect(list.code, list.out).toBe(0);
      expect(list.out).toContain('cfg');
      const conflict = await sh('update', 'cli-1', '--desired', 'sleep=5', '--version', '9');
      expect(conflict.code).toBe(1);
      expect(conflict.out).toContain('ConflictException');
      expect((await sh('delete', 'cli-1')).code).toBe(0);
      const missing = await sh('get', 'cli-1');
      expect(missing.code).toBe(1);
      expect(missing.out).toContain("No shadow exists with name: 'cli-1'");
      const history = await sh('history', 'cli-1');
      expect(history.code, history.out).toBe(0);
      expect(history.out).toContain('classic  v1  update  AKIDEXAMPLE  {"desired":{"sleep":60}}');
      expect(history.out).toContain('shadow:cfg  v1  update');
      expect(history.out).toContain('delete');
    } finally {
      await cloud.close();
    }
  });
});

describe('plain HTTP twin', () => {
  it('cli: --http-port serves the same API over plain HTTP on loopback', async () => {
    const cloud = await startTestCloud({ httpPort: 0 });
    try {
      expect(cloud.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const { SigV4Signer } = await import('../../src/sigv4.js');
      const { nodeCrypto } = await import('../../hal/sim/crypto.js');
      const signer = new SigV4Signer({ crypto: nodeCrypto(), region: 'us-east-1', service: 'iotdata', credentials: EXAMPLE_CREDENTIALS });
      const body = '{"state":{"reported":{"plain":true}}}';
      const signed = signer.sign({ method: 'POST', host: `127.0.0.1:${cloud.httpPort}`, path: '/things/plain/shadow', body }, { date: Date.now() });
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: cloud.httpPort, method: 'POST', path: '/things/plain/shadow', headers: { ...signed.headers, 'Content-Length': String(Buffer.byteLength(body)) } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(body);
      });
      expect(status).toBe(200);
      expect(cloud.shadows.stored({ thing: 'plain' })?.state.reported).toEqual({ plain: true });
      expect(readCloudInfo(cloud.dataDir)?.httpEndpoint).toBe(`127.0.0.1:${cloud.httpPort}`);
    } finally {
      await cloud.close();
    }
  });
});
