/**
 * Secrets never leak: a fresh random secret key is made for this run (so a grep for it means
 * something), the cloud runs with it as a child process, and everything the system shows is
 * captured and searched for it, in plain, base64, URL-encoded and JSON-escaped forms: the
 * cloud's stdout/stderr (request log lines, a crash on a malformed key file), its error
 * responses, its data files other than the two key stores, the CLI's output (`dormouse shadow`
 * against wrong endpoints, `dormouse sign` plain and JSON), device wakes through `boot()` (logs,
 * status lines, summaries, persisted records, what they reported to the cloud) with good,
 * malformed and swapped config, a garbage server and a refused thing. The built bundles are
 * searched for anything shaped like an AWS secret or key id.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../cli/main.js';
import { readCloudInfo } from '../../cloud/index.js';
import { boot } from '../../firmware/app.js';
import { nodeCrypto } from '../../hal/sim/crypto.js';
import { parseCredentialsFile } from '../../src/credentials.js';
import type { Credentials } from '../../src/credentials.js';
import { SigV4Signer } from '../../src/sigv4.js';
import { tempDir } from '../cloud/support/cloud-fixture.js';
import { realNetDevice } from './support/device-hal.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function random(alphabet: string, n: number): string {
  let out = '';
  for (const b of randomBytes(n)) out += alphabet.charAt(b % alphabet.length);
  return out;
}

/** This run's admin key: random, 40 characters holding `/` and `+` so encoded forms differ. */
const ADMIN: Credentials = { accessKeyId: `AKIDSEC${random('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 13)}`, secretAccessKey: `${random(B64, 19)}/+${random(B64, 19)}` };
/** Secrets to look for (the device key minted by provision joins them). */
const SECRETS: string[] = [ADMIN.secretAccessKey];

/** Every form a secret could take on its way out. */
function forms(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1).replace(/\//g, '\\/'),
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64url'),
    Buffer.from(secret).toString('hex'),
    secret.substring(0, 20),
    secret.substring(20),
  ];
}

/** Everything captured, by where it came from. */
const captured: { where: string; text: string }[] = [];
function keep(where: string, text: string | Buffer): void {
  captured.push({ where, text: typeof text === 'string' ? text : text.toString('latin1') });
}

function leaks(corpus: readonly { where: string; text: string }[] = captured): string[] {
  const out: string[] = [];
  for (const s of SECRETS) for (const f of forms(s)) for (const c of corpus) if (c.text.indexOf(f) >= 0) out.push(`${c.where} holds ${f === s ? 'the secret' : 'a form of it'}`);
  return out;
}

// ------------------------------------------------------------------------------------------
// The cloud, as a child process

const children: ChildProcess[] = [];
let dataDir: string;
let port: number;
let caPem: string;
let cloudOut = '';
let cloud: ChildProcess;

async function startCloudChild(dir: string, env: Record<string, string>, args: string[] = []): Promise<{ child: ChildProcess; output: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', './test/cloud/support/register-ts.mjs', 'cloud/main.ts', '--port', '0', '--ntp-port', '0', '--data', dir, '--no-throttle', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => output, exited };
}

beforeAll(async () => {
  dataDir = tempDir('dormouse-secrets-');
  const c = await startCloudChild(dataDir, { AWS_ACCESS_KEY_ID: ADMIN.accessKeyId, AWS_SECRET_ACCESS_KEY: ADMIN.secretAccessKey });
  cloud = c.child;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (c.child.exitCode !== null) throw new Error(`cloud exited: ${c.output()}`);
    const info = fs.existsSync(path.join(dataDir, 'cloud.json')) ? readCloudInfo(dataDir) : undefined;
    if (info !== undefined && info.pid === c.child.pid) {
      port = Number(info.endpoint.split(':').pop());
      break;
    }
    if (Date.now() > deadline) throw new Error(`cloud did not start: ${c.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  caPem = fs.readFileSync(path.join(dataDir, 'ca.pem'), 'utf8');
  c.child.stdout?.on('data', (d: Buffer) => (cloudOut += d.toString()));
  c.child.stderr?.on('data', (d: Buffer) => (cloudOut += d.toString()));
  cloudOut = c.output();
}, 60_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

// ------------------------------------------------------------------------------------------

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

async function cli(where: string, args: string[], env: Record<string, string> = { AWS_ACCESS_KEY_ID: ADMIN.accessKeyId, AWS_SECRET_ACCESS_KEY: ADMIN.secretAccessKey }, cwd = tempDir()): Promise<{ code: number; out: string }> {
  const io = capture();
  const code = await run(args, { stdout: io.stream, stderr: io.stream, env, cwd });
  keep(`dormouse ${where}`, io.text());
  return { code, out: io.text() };
}

/** A TCP server answering every connection with garbage (a cloud gone mad). */
async function garbageServer(): Promise<number> {
  const s = net.createServer((sock) => {
    sock.on('error', () => undefined);
    sock.once('data', () => sock.end(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n{"state":'), randomBytes(200)])));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  children.push({ exitCode: 0, signalCode: null, kill: () => s.close() } as unknown as ChildProcess);
  return (s.address() as net.AddressInfo).port;
}

function rawHttps(method: string, p: string, headers: Record<string, string>, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, method, path: p, ca: caPem, servername: 'localhost', headers, agent: false }, (res) => {
      let text = `HTTP ${res.statusCode}\n${JSON.stringify(res.headers)}\n`;
      res.on('data', (d: Buffer) => (text += d.toString('latin1')));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('secrets never leak', () => {
  it('secrets: the grep finds a secret when there is one (the check can fail)', () => {
    const encoded = leaks([{ where: 'probe', text: `x ${encodeURIComponent(ADMIN.secretAccessKey)} y` }]);
    expect(encoded.length).toBeGreaterThan(0);
    expect(encoded.every((l) => l === 'probe holds a form of it')).toBe(true);
    expect(leaks([{ where: 'probe', text: `"skey":"${ADMIN.secretAccessKey}"` }])).toContain('probe holds the secret');
    expect(leaks([{ where: 'probe', text: Buffer.from(`{"x":"${ADMIN.secretAccessKey}"}`).toString('base64') }])).toEqual([]);
    expect(leaks([{ where: 'probe', text: Buffer.from(ADMIN.secretAccessKey).toString('base64') }])).toContain('probe holds a form of it');
  });

  it('secrets: the CLI (shadow against the cloud and wrong endpoints, sign plain and JSON)', async () => {
    const ok = await cli('shadow update', ['shadow', 'update', 'sec-1', '--desired', 'sleep=30', '--cloud-dir', dataDir, '--verbose']);
    expect(ok.code, ok.out).toBe(0);
    expect((await cli('shadow get', ['shadow', 'get', 'sec-1', '--cloud-dir', dataDir, '--verbose'])).code).toBe(0);
    // Wrong endpoints: refused connection, a garbage server, a TLS server it does not trust.
    expect((await cli('shadow get (refused)', ['shadow', 'get', 'sec-1', '--endpoint', '127.0.0.1:1', '--region', 'us-east-1', '--verbose'])).code).toBe(1);
    const g = await garbageServer();
    expect((await cli('shadow get (garbage)', ['shadow', 'get', 'sec-1', '--endpoint', `http://127.0.0.1:${g}`, '--region', 'us-east-1', '--verbose'])).code).toBe(1);
    expect((await cli('shadow get (untrusted TLS)', ['shadow', 'get', 'sec-1', '--endpoint', `127.0.0.1:${port}`, '--region', 'us-east-1', '--verbose'])).code).toBe(1);
    // A credentials file broken around the secret, no environment.
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'aws_credentials.txt'), `{"akey": "${ADMIN.accessKeyId}", "skey": "${ADMIN.secretAccessKey}", }trailing`);
    expect((await cli('shadow get (broken credentials file)', ['shadow', 'get', 'sec-1', '--cloud-dir', dataDir], {}, cwd)).code).toBe(1);
    expect((await cli('sign (broken credentials file)', ['sign', '--method', 'GET', '--url', `https://127.0.0.1:${port}/things/sec-1/shadow`, '--region', 'us-east-1', '--service', 'iotdata'], {}, cwd)).code).not.toBe(0);
    const plain = await cli('sign', ['sign', '--method', 'POST', '--url', `https://127.0.0.1:${port}/things/sec-1/shadow`, '--region', 'us-east-1', '--service', 'iotdata', '--body', '{}']);
    expect(plain.code, plain.out).toBe(0);
    const json = await cli('sign --json', ['sign', '--json', '--method', 'GET', '--url', `https://127.0.0.1:${port}/things/sec-1/shadow`, '--region', 'us-east-1', '--service', 'iotdata']);
    expect(json.code).toBe(0);
    // It shows the signature (that is its job), never the secret.
    expect(json.out).toMatch(/"signature": ?"[0-9a-f]{64}"/);
    const pre = await cli('sign --presign', ['sign', '--presign', '300', '--method', 'GET', '--url', `https://127.0.0.1:${port}/things/sec-1/shadow`, '--region', 'us-east-1', '--service', 'iotdata']);
    expect(pre.code).toBe(0);
    // Secrets given on the command line are not echoed in usage errors.
    await cli('sign (usage error)', ['sign', '--access-key', ADMIN.accessKeyId, '--secret-key', ADMIN.secretAccessKey, '--method', 'GET', '--url', 'ftp://x']);
    expect(leaks()).toEqual([]);
  });

  it('secrets: the cloud\'s error responses (signature mismatch with its canonical request, expired, unknown key)', async () => {
    const signer = new SigV4Signer({ crypto: nodeCrypto(), region: 'us-east-1', service: 'iotdata', credentials: ADMIN });
    const host = `127.0.0.1:${port}`;
    const good = signer.sign({ method: 'POST', host, path: '/things/sec-1/shadow', body: '{"state":{}}' }, { date: Date.now() }).headers;
    keep('403 mismatch (tampered body)', await rawHttps('POST', '/things/sec-1/shadow', good, '{"state":{"x":1}}'));
    const old = signer.sign({ method: 'GET', host, path: '/things/sec-1/shadow' }, { date: Date.now() - 3600_000 }).headers;
    keep('403 expired', await rawHttps('GET', '/things/sec-1/shadow', old));
    const unknown = new SigV4Signer({ crypto: nodeCrypto(), region: 'us-east-1', service: 'iotdata', credentials: { accessKeyId: 'AKIDUNKNOWN000000000', secretAccessKey: ADMIN.secretAccessKey } });
    keep('403 unknown key', await rawHttps('GET', '/things/sec-1/shadow', unknown.sign({ method: 'GET', host, path: '/things/sec-1/shadow' }, { date: Date.now() }).headers));
    keep('400 bad name', await rawHttps('GET', '/things/a%20b/shadow', signer.sign({ method: 'GET', host, path: '/things/a%20b/shadow' }, { date: Date.now() }).headers));
    const presigned = signer.presign({ method: 'GET', host, path: '/things/sec-1/shadow' }, { date: Date.now(), expiresSeconds: 60 });
    keep('presigned 404', await rawHttps('GET', presigned.path.replace(/X-Amz-Signature=[0-9a-f]+/, `X-Amz-Signature=${'0'.repeat(64)}`), { Host: host }));
    expect(captured.filter((c) => c.where.startsWith('403 ')).map((c) => c.text.substring(0, 8))).toEqual(['HTTP 403', 'HTTP 403', 'HTTP 403']);
    expect(leaks()).toEqual([]);
  });

  it('secrets: device wakes through boot(): good, shared and scoped keys, garbage server, broken and swapped config', async () => {
    const provisioned = tempDir();
    const p = await cli('cloud provision', ['cloud', 'provision', 'sec-dev', '--out', provisioned, '--data', dataDir]);
    expect(p.code, p.out).toBe(0);
    const deviceKey = parseCredentialsFile(fs.readFileSync(path.join(provisioned, 'aws_credentials.txt'), 'utf8'));
    SECRETS.push(deviceKey.secretAccessKey);
    const files = (dir: string, change: (cfg: Record<string, unknown>) => void = () => undefined): Record<string, string> => {
      const out: Record<string, string> = {};
      for (const f of fs.readdirSync(dir)) out[f] = fs.readFileSync(path.join(dir, f), 'utf8');
      const cfg = JSON.parse(out['aws_iot_cfg.txt'] as string) as Record<string, unknown>;
      change(cfg);
      out['aws_iot_cfg.txt'] = JSON.stringify(cfg);
      return out;
    };
    const g = await garbageServer();
    const admin = JSON.stringify({ akey: ADMIN.accessKeyId, skey: ADMIN.secretAccessKey });
    const wakes: [string, Record<string, string>, RegExp][] = [
      ['device key', files(provisioned), /^done: /],
      ['device key, another thing (403)', files(provisioned, (c) => (c.thing = 'not-mine')), /^error: EAUTH: .*Forbidden/],
      ['shared admin key', { ...files(provisioned), 'aws_credentials.txt': admin }, /^done: /],
      ['garbage server', { ...files(provisioned, (c) => (c.endpoint = `http://127.0.0.1:${g}`)), 'aws_credentials.txt': admin }, /^error: /],
      ['refused connection', { ...files(provisioned, (c) => (c.endpoint = '127.0.0.1:1')), 'aws_credentials.txt': admin }, /^error: ECONN/],
      ['broken credentials file', { ...files(provisioned), 'aws_credentials.txt': `{"akey":"${ADMIN.accessKeyId}","skey":"${ADMIN.secretAccessKey}",} x` }, /^error: ECONFIG: /],
      ['swapped credentials', { ...files(provisioned), 'aws_credentials.txt': JSON.stringify({ akey: ADMIN.secretAccessKey, skey: ADMIN.accessKeyId }) }, /^error: ECONFIG: /],
      ['no CA file', files(provisioned, (c) => (c.ca = 'missing.pem')), /^error: ECONFIG: /],
    ];
    for (const [what, f, expected] of wakes) {
      const d = realNetDevice(f);
      const s = await boot(d.hal);
      expect(s.status, what).toMatch(expected);
      expect(d.mem.sleeps.length, what).toBe(1);
      keep(`wake (${what}): summary`, JSON.stringify(s));
      keep(`wake (${what}): logs, records`, d.mem.everythingWritten().join('\n'));
      // Files the wake wrote (the config files it was given hold secrets on purpose in some cases).
      keep(`wake (${what}): flash it wrote`, [...d.mem.files.entries()].filter(([k, v]) => f[k] !== v).map(([k, v]) => `${k}=${v}`).join('\n'));
    }
    // What the devices reported is in the cloud: their status lines, in the shadow and history.
    const shadow = await cli('shadow get sec-dev', ['shadow', 'get', 'sec-dev', '--cloud-dir', dataDir, '--raw']);
    expect(shadow.out).toContain('"status"');
    await cli('shadow history sec-dev', ['shadow', 'history', 'sec-dev', '--cloud-dir', dataDir]);
    await cli('shadow history id-1', ['shadow', 'history', 'not-mine', '--cloud-dir', dataDir]);
    expect(leaks()).toEqual([]);
  });

  it.skipIf(!fs.existsSync(path.join(ROOT, 'cli', 'commands', 'sim.ts')) || !fs.existsSync(path.join(ROOT, 'dist', 'app.min.js')))(
    'secrets: dormouse sim (timeline, JSON summaries, debug log, device directory files) with a provisioned, a shared and a broken key',
    async () => {
      const root = tempDir('dormouse-secrets-sim-');
      const dirA = path.join(root, 'a');
      const a = await cli('sim (provisioned, timeline)', ['sim', '--cloud-dir', dataDir, '--thing', 'sim-a', '--dir', dirA, '--wakes', '2', '--speed', '200', '--log', 'debug'], {}, root);
      expect(a.code, a.out).toBe(0);
      SECRETS.push(parseCredentialsFile(fs.readFileSync(path.join(dirA, 'aws_credentials.txt'), 'utf8')).secretAccessKey);
      expect((await cli('sim (provisioned, json)', ['sim', '--cloud-dir', dataDir, '--thing', 'sim-a', '--dir', dirA, '--wakes', '1', '--json', '--log', 'debug'], {}, root)).code).toBe(0);
      // The admin key, through --config (as a board's files).
      const shared = path.join(root, 'shared');
      expect((await cli('cloud provision --shared', ['cloud', 'provision', 'sim-b', '--out', shared, '--data', dataDir, '--shared'])).code).toBe(0);
      const dirB = path.join(root, 'b');
      const b = await cli('sim (shared key)', ['sim', '--config', path.join(shared, 'aws_iot_cfg.txt'), '--dir', dirB, '--wakes', '1', '--json', '--log', 'debug'], {}, root);
      expect(b.code, b.out).toBe(0);
      // A credentials file broken around the secret.
      const broken = path.join(root, 'broken');
      fs.mkdirSync(broken);
      for (const f of ['aws_iot_cfg.txt', 'ca.pem']) fs.copyFileSync(path.join(shared, f), path.join(broken, f));
      fs.writeFileSync(path.join(broken, 'aws_credentials.txt'), `{"akey":"${ADMIN.accessKeyId}","skey":"${ADMIN.secretAccessKey}",}`);
      await cli('sim (broken credentials)', ['sim', '--config', path.join(broken, 'aws_iot_cfg.txt'), '--dir', path.join(root, 'c'), '--wakes', '1', '--json', '--log', 'debug'], {}, root);
      const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
      for (const dir of [dirA, dirB, path.join(root, 'c')]) {
        if (!fs.existsSync(dir)) continue;
        for (const f of walk(dir)) if (path.basename(f) !== 'aws_credentials.txt' && path.basename(f) !== 'aws_credentials.txt.json') keep(`sim device file ${path.relative(root, f)}`, fs.readFileSync(f));
      }
      expect(captured.some((c) => c.where.startsWith('sim device file'))).toBe(true);
      expect(leaks()).toEqual([]);
    },
    60_000,
  );

  it('secrets: the cloud\'s own output and data files (the key stores excepted), and a cloud that crashes on a malformed key file', async () => {
    cloud.kill('SIGTERM');
    await new Promise((r) => (cloud.exitCode !== null ? r(undefined) : cloud.once('exit', r)));
    keep('cloud stdout/stderr', cloudOut);
    expect(cloudOut).toContain(ADMIN.accessKeyId); // the banner names the key id: the capture works
    expect(cloudOut).toMatch(/GET \/things\/sec-1\/shadow 403/);
    for (const f of fs.readdirSync(dataDir)) {
      if (f === 'aws_credentials.txt' || f === 'device-keys.json') continue;
      const p = path.join(dataDir, f);
      if (fs.statSync(p).isFile()) keep(`data file ${f}`, fs.readFileSync(p));
    }
    // A second cloud on a directory whose key file is broken around the secret: it must say so without it.
    const broken = tempDir('dormouse-secrets-broken-');
    fs.writeFileSync(path.join(broken, 'aws_credentials.txt'), `{"akey":"${ADMIN.accessKeyId}","skey":"${ADMIN.secretAccessKey}"`);
    fs.writeFileSync(path.join(broken, 'device-keys.json'), `{"version":1,"keys":[{"akey":"AKIDX","skey":"${ADMIN.secretAccessKey}"`);
    const crashed = await startCloudChild(broken, {});
    const code = await crashed.exited;
    keep('crashed cloud output', crashed.output());
    expect(code).toBe(1);
    expect(crashed.output()).toContain('aws_credentials.txt');
    expect(leaks()).toEqual([]);
  }, 30_000);
});

describe('a secret in the wrong config file', () => {
  // A secret pasted into aws_iot_cfg.txt (a field of the wrong file, or the files swapped) is
  // quoted, cut to 36 characters, by the ECONFIG message: boot() reads the credentials file on
  // its own to learn what to scrub, and scrubbing hides pieces of a secret, not only the whole.
  it('secrets: a secret pasted into a config field does not reach the status line or log', async () => {
    const corpus: { where: string; text: string }[] = [];
    const cases: Record<string, string>[] = [
      { 'aws_iot_cfg.txt': `{"region":"us-east-1","endpoint":"${ADMIN.secretAccessKey}"}` },
      { 'aws_iot_cfg.txt': JSON.stringify({ region: 'us-east-1', endpoint: '127.0.0.1:1', thing: ADMIN.secretAccessKey }) },
    ];
    for (const files of cases) {
      const d = realNetDevice({ ...files, 'aws_credentials.txt': JSON.stringify({ akey: ADMIN.accessKeyId, skey: ADMIN.secretAccessKey }) });
      const s = await boot(d.hal);
      expect(s.status).toMatch(/^error: ECONFIG: /);
      corpus.push({ where: 'summary', text: JSON.stringify(s) }, { where: 'log', text: d.mem.everythingWritten().join('\n') });
    }
    expect(leaks(corpus)).toEqual([]);
  });
});

describe('the built bundles', () => {
  const DIST = path.join(ROOT, 'dist');
  const bundles = fs.existsSync(DIST) ? fs.readdirSync(DIST).filter((f) => f.endsWith('.js')) : [];

  it.skipIf(bundles.length === 0)('secrets: dist/*.js holds nothing shaped like an AWS secret key or access key id', () => {
    for (const f of bundles) {
      const text = fs.readFileSync(path.join(DIST, f), 'utf8');
      expect(text.match(/AKIA[0-9A-Z]{16}/g), f).toBeNull();
      expect(text, f).not.toContain('wJalrXUtnFEMI');
      expect(text, f).not.toContain('EXAMPLEKEY');
      for (const s of SECRETS) expect(text, f).not.toContain(s);
      // 40 base64 characters standing alone, with upper, lower case and a digit (a secret's shape).
      const candidates = (text.match(/(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/=])/g) ?? []).filter((c) => /[A-Z]/.test(c) && /[a-z]/.test(c) && /[0-9]/.test(c));
      expect(candidates, f).toEqual([]);
    }
  });
});
