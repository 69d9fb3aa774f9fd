/**
 * Test support: a real local cloud on loopback (random ports, real TLS, temp data directory,
 * AWS's example key), and a client that signs with the project's SigV4 signer and speaks HTTPS
 * through Node with the cloud's CA trusted.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { afterAll } from 'vitest';
import { nodeCrypto } from '../../../hal/sim/crypto.js';
import { SigV4Signer } from '../../../src/sigv4.js';
import type { Credentials } from '../../../src/credentials.js';
import { CERT_FILES, startCloud } from '../../../cloud/index.js';
import { loadOrCreateTls } from '../../../cloud/certs.js';
import type { CloudOptions, RunningCloud } from '../../../cloud/index.js';

/** AWS's public example key, the only one tests use. */
export const EXAMPLE_CREDENTIALS: Credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

const made: string[] = [];
// Registered when a test file first imports this module: runs after that file's own afterAll hooks.
// (Outside vitest, e.g. in load.ts, the directories stay.)
if (process.env.VITEST) {
  afterAll(() => {
    for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
}

/** A fresh temporary directory, removed after the test file that made it. */
export function tempDir(prefix = 'dormouse-cloud-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

let template: Promise<string> | undefined;
if (process.env.VITEST) {
  afterAll(() => {
    template = undefined;
  });
}

/**
 * A temp data directory holding a copy of one CA and server certificate made once per test
 * worker: RSA key generation is the slowest part of a start, and most tests do not test it.
 */
export async function seededDir(): Promise<string> {
  template ??= (async () => {
    const dir = tempDir('dormouse-cloud-template-');
    await loadOrCreateTls(dir, '127.0.0.1', 'us-east-1');
    return dir;
  })();
  const from = await template;
  const to = tempDir();
  for (const f of Object.values(CERT_FILES)) fs.copyFileSync(path.join(from, f), path.join(to, f));
  return to;
}

/** Start a cloud for a test: random ports, temp dir (seeded certificates unless given), example key, throttling off unless asked. */
export async function startTestCloud(o: CloudOptions = {}): Promise<RunningCloud> {
  const dataDir = o.dataDir ?? (await seededDir());
  return startCloud({ host: '127.0.0.1', port: 0, ntpPort: 0, credentials: EXAMPLE_CREDENTIALS, throttle: false, env: {}, ...o, dataDir });
}

/** A response as the tests look at it. */
export interface TestResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** The body parsed as JSON (undefined when it is not JSON); `any` so assertions can read into it. */
  readonly json: any;
}

/** What to send. */
export interface TestRequest {
  readonly method: string;
  /** Raw wire path with query. */
  readonly path: string;
  readonly body?: string | Buffer;
  readonly headers?: Record<string, string>;
  /** Sign it (default true) and with what. */
  readonly sign?: boolean;
  readonly credentials?: Credentials;
  readonly service?: string;
  readonly region?: string;
  /** Signing time, epoch ms (default now). */
  readonly date?: number;
  /** Change the request after signing (tamper tests). */
  readonly afterSign?: (r: { headers: Record<string, string>; body: string | Buffer | undefined }) => void;
}

const crypto = nodeCrypto();

/** Send one request to the cloud over HTTPS and read the whole response. */
export function send(cloud: Pick<RunningCloud, 'port' | 'caPem'>, r: TestRequest, agent?: https.Agent): Promise<TestResponse> {
  const host = `127.0.0.1:${cloud.port}`;
  let headers: Record<string, string> = { ...(r.headers ?? {}) };
  const bodyBytes = r.body === undefined ? undefined : typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : r.body;
  if (r.sign !== false) {
    const signer = new SigV4Signer({ crypto, region: r.region ?? 'us-east-1', service: r.service ?? 'iotdata', credentials: r.credentials ?? EXAMPLE_CREDENTIALS });
    const signed = signer.sign(
      { method: r.method, host, path: r.path, headers, ...(bodyBytes !== undefined ? { body: new Uint8Array(bodyBytes) } : {}) },
      { date: r.date ?? Date.now() },
    );
    headers = { ...signed.headers };
  }
  const mutable = { headers, body: bodyBytes as string | Buffer | undefined };
  r.afterSign?.(mutable);
  const finalBody = mutable.body === undefined ? undefined : typeof mutable.body === 'string' ? Buffer.from(mutable.body) : mutable.body;
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: cloud.port,
        method: r.method,
        path: r.path,
        ca: cloud.caPem,
        servername: 'localhost',
        headers: { ...mutable.headers, ...(finalBody !== undefined ? { 'Content-Length': String(finalBody.length) } : {}) },
        ...(agent !== undefined ? { agent } : { agent: false }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (finalBody !== undefined) req.write(finalBody);
    req.end();
  });
}

/** Options of {@link shadowApi}. */
export interface ShadowApiOptions {
  readonly agent?: https.Agent;
  /** Signing clock (epoch ms); default `Date.now`. Give the server's clock when a test moves it. */
  readonly now?: () => number;
  readonly headers?: Record<string, string>;
}

/** Shorthands for the shadow and publish operations, signed with the example key. */
export function shadowApi(cloud: Pick<RunningCloud, 'port' | 'caPem'>, o: ShadowApiOptions = {}) {
  const q = (shadow?: string): string => (shadow === undefined ? '' : `?name=${encodeURIComponent(shadow)}`);
  const thingPath = (thing: string): string => `/things/${encodeURIComponent(thing)}/shadow`;
  const go = (method: string, p: string, body?: string | Buffer): Promise<TestResponse> =>
    send(cloud, { method, path: p, ...(body !== undefined ? { body } : {}), date: (o.now ?? Date.now)(), ...(o.headers ? { headers: o.headers } : {}) }, o.agent);
  return {
    get: (thing: string, shadow?: string) => go('GET', thingPath(thing) + q(shadow)),
    update: (thing: string, doc: unknown, shadow?: string) => go('POST', thingPath(thing) + q(shadow), typeof doc === 'string' || Buffer.isBuffer(doc) ? doc : JSON.stringify(doc)),
    delete: (thing: string, shadow?: string) => go('DELETE', thingPath(thing) + q(shadow)),
    list: (thing: string, query = '') => go('GET', `/api/things/shadow/ListNamedShadowsForThing/${encodeURIComponent(thing)}${query}`),
    publish: (topic: string, payload: string | Buffer, qos?: number) => go('POST', `/topics/${encodeURIComponent(topic)}${qos === undefined ? '' : `?qos=${qos}`}`, payload),
    raw: (method: string, p: string, body?: string | Buffer) => go(method, p, body),
  };
}

/** Open a raw TLS socket to the cloud (for garbage and slow-client tests). */
export function rawTls(cloud: Pick<RunningCloud, 'port' | 'caPem'>, servername: string | undefined = 'localhost'): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port: cloud.port, ca: cloud.caPem, ...(servername !== undefined ? { servername } : {}) }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Everything a socket receives until it closes (or `timeoutMs` passes). */
export function readUntilClose(s: NodeJS.ReadableStream & { destroy(): void }, timeoutMs: number): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    let text = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ text, closed: false });
    }, timeoutMs);
    s.on('data', (d: Buffer) => (text += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
  });
}
