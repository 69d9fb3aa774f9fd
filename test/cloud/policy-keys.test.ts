/**
 * Per-key access policies of the local cloud: a key scoped to one thing is refused (403
 * ForbiddenException) on another, explicit Deny wins, and keys minted by `dormouse cloud
 * provision` while the cloud runs are accepted at once, scoped to their thing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../cli/main.js';
import { DEVICE_KEYS_FILE, parsePolicy, provisionThing, thingPolicy } from '../../cloud/index.js';
import type { RunningCloud } from '../../cloud/index.js';
import { parseCredentialsFile } from '../../src/credentials.js';
import type { Credentials } from '../../src/credentials.js';
import { EXAMPLE_CREDENTIALS, send, startTestCloud, tempDir } from './support/cloud-fixture.js';
import type { TestResponse } from './support/cloud-fixture.js';

const T1_KEY: Credentials = { accessKeyId: 'AKIDSCOPEDT1EXAMPLE', secretAccessKey: 'scoped/t1/EXAMPLEKEYEXAMPLEKEYEXAMPLEKEY' };
const NO_DELETE_KEY: Credentials = { accessKeyId: 'AKIDNODELETEEXAMPLE', secretAccessKey: 'nodelete/EXAMPLEKEYEXAMPLEKEYEXAMPLEKEY0' };
const scope = { region: 'us-east-1', account: '000000000000' };

let cloud: RunningCloud;
const logs: string[] = [];

beforeAll(async () => {
  cloud = await startTestCloud({
    log: (l) => logs.push(l),
    logRequests: true,
    extraKeys: [
      { credentials: T1_KEY, policy: thingPolicy(scope, 't1'), thing: 't1' },
      {
        credentials: NO_DELETE_KEY,
        policy: parsePolicy('no-delete', {
          Statement: [
            { Effect: 'Allow', Action: 'iot:*', Resource: '*' },
            { Effect: 'Deny', Action: 'iot:DeleteThingShadow', Resource: 'arn:aws:iot:*:*:thing/*' },
          ],
        }),
      },
    ],
  });
  // t2 exists (made by the admin key), t3 does not.
  expect((await call(EXAMPLE_CREDENTIALS, 'POST', '/things/t2/shadow', '{"state":{"desired":{"secret":"of t2"}}}')).status).toBe(200);
});
afterAll(async () => {
  await cloud.close();
});

function call(credentials: Credentials, method: string, p: string, body?: string): Promise<TestResponse> {
  return send(cloud, { method, path: p, credentials, ...(body !== undefined ? { body } : {}) });
}

function expectForbidden(r: TestResponse): void {
  expect(r.status).toBe(403);
  expect(r.headers['x-amzn-errortype']).toBe('ForbiddenException:');
  expect(r.json).toEqual({ message: 'Forbidden', traceId: r.headers['x-amzn-requestid'] });
  expect(Number.isFinite(Date.parse(String(r.headers.date)))).toBe(true);
}

describe('policies on keys', () => {
  it('policy: a key scoped to t1 may get, update, delete, list and publish for t1', async () => {
    expect((await call(T1_KEY, 'POST', '/things/t1/shadow', '{"state":{"reported":{"a":1}}}')).status).toBe(200);
    expect((await call(T1_KEY, 'GET', '/things/t1/shadow')).status).toBe(200);
    expect((await call(T1_KEY, 'POST', '/things/t1/shadow?name=cfg', '{"state":{"reported":{"b":2}}}')).status).toBe(200);
    expect((await call(T1_KEY, 'GET', '/api/things/shadow/ListNamedShadowsForThing/t1')).json.results).toEqual(['cfg']);
    expect((await call(T1_KEY, 'POST', `/topics/${encodeURIComponent('dt/t1/temp')}?qos=1`, '{"t":21}')).status).toBe(200);
    expect((await call(T1_KEY, 'DELETE', '/things/t1/shadow?name=cfg')).status).toBe(200);
  });

  it('policy: the same key is refused with 403 ForbiddenException on another thing, whether or not it exists', async () => {
    const existing = await call(T1_KEY, 'GET', '/things/t2/shadow');
    const missing = await call(T1_KEY, 'GET', '/things/t3/shadow');
    expectForbidden(existing);
    expectForbidden(missing);
    expect(existing.text).not.toContain('of t2');
    expectForbidden(await call(T1_KEY, 'POST', '/things/t2/shadow', '{"state":{"desired":{"x":1}}}'));
    expectForbidden(await call(T1_KEY, 'DELETE', '/things/t2/shadow'));
    expectForbidden(await call(T1_KEY, 'GET', '/things/t2/shadow?name=cfg'));
    expectForbidden(await call(T1_KEY, 'GET', '/api/things/shadow/ListNamedShadowsForThing/t2'));
    expectForbidden(await call(T1_KEY, 'POST', `/topics/${encodeURIComponent('dt/t2/temp')}`, '{}'));
    expectForbidden(await call(T1_KEY, 'POST', `/topics/${encodeURIComponent('$aws/things/t2/shadow/update')}`, '{}'));
    // A name that merely starts with t1 is another thing.
    expectForbidden(await call(T1_KEY, 'GET', '/things/t10/shadow'));
    // Nothing was changed on t2.
    const t2 = await call(EXAMPLE_CREDENTIALS, 'GET', '/things/t2/shadow');
    expect(t2.json.state.desired).toEqual({ secret: 'of t2' });
    expect(t2.json.version).toBe(1);
  });

  it('policy: the server log says which policy refused what; the client is told only "Forbidden"', async () => {
    logs.length = 0;
    await call(T1_KEY, 'GET', '/things/t2/shadow');
    expect(logs.join('\n')).toContain('Forbidden (policy dormouse-thing:t1: iot:GetThingShadow on arn:aws:iot:us-east-1:000000000000:thing/t2: no statement allows it)');
  });

  it('policy: the admin key (AWSIoTDataAccess-like) is allowed on every thing', async () => {
    expect((await call(EXAMPLE_CREDENTIALS, 'GET', '/things/t1/shadow')).status).toBe(200);
    expect((await call(EXAMPLE_CREDENTIALS, 'POST', `/topics/${encodeURIComponent('any/topic')}`, '{}')).status).toBe(200);
  });

  it('policy: an explicit Deny wins over an Allow of everything', async () => {
    expect((await call(NO_DELETE_KEY, 'POST', '/things/t4/shadow', '{"state":{"reported":{"a":1}}}')).status).toBe(200);
    expectForbidden(await call(NO_DELETE_KEY, 'DELETE', '/things/t4/shadow'));
    expect((await call(EXAMPLE_CREDENTIALS, 'GET', '/things/t4/shadow')).status).toBe(200);
  });

  it('policy: signature checks still come first: a wrong secret for a scoped key is the signature 403', async () => {
    const r = await call({ accessKeyId: T1_KEY.accessKeyId, secretAccessKey: 'wrong' }, 'GET', '/things/t1/shadow');
    expect(r.status).toBe(403);
    expect(r.json.message).toMatch(/^The request signature we calculated does not match/);
  });
});

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

const readCreds = (dir: string): Credentials => parseCredentialsFile(fs.readFileSync(path.join(dir, 'aws_credentials.txt'), 'utf8'));

describe('provisioned device keys', () => {
  it('provision: mints a key of the device\'s own, kept 0600, which the running cloud accepts at once, on its thing only', async () => {
    const out = tempDir();
    const r = await provisionThing({ dataDir: cloud.dataDir, thing: 'dev-a', outDir: out, env: {} });
    expect(r).toMatchObject({ auth: 'device-key', policy: 'dormouse-thing:dev-a', reused: false });
    const key = readCreds(out);
    expect(key.accessKeyId).toBe(r.keyId);
    expect(key.accessKeyId).not.toBe(EXAMPLE_CREDENTIALS.accessKeyId);
    expect(key.secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(fs.statSync(path.join(out, 'aws_credentials.txt')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(cloud.dataDir, DEVICE_KEYS_FILE)).mode & 0o777).toBe(0o600);
    expect((await call(key, 'POST', '/things/dev-a/shadow', '{"state":{"reported":{"up":true}}}')).status).toBe(200);
    expectForbidden(await call(key, 'GET', '/things/t2/shadow'));
    // The history names the device's key, not the admin's.
    expect(cloud.store.history('dev-a').map((h) => h.keyId)).toEqual([key.accessKeyId]);
  });

  it('provision: provisioning a thing again hands out the same key; --rotate mints a new one and retires the old', async () => {
    const a = tempDir();
    const b = tempDir();
    await provisionThing({ dataDir: cloud.dataDir, thing: 'dev-b', outDir: a, env: {} });
    const again = await provisionThing({ dataDir: cloud.dataDir, thing: 'dev-b', outDir: b, env: {} });
    expect(again.reused).toBe(true);
    expect(readCreds(b)).toEqual(readCreds(a));
    const old = readCreds(a);
    expect((await call(old, 'GET', '/things/dev-b/shadow')).status).toBe(404);
    const c = tempDir();
    const io = capture();
    expect(await run(['cloud', 'provision', 'dev-b', '--out', c, '--data', cloud.dataDir, '--rotate'], { stdout: io.stream, stderr: io.stream, env: {}, cwd: c })).toBe(0);
    expect(io.text()).toContain("provisioned 'dev-b'");
    expect(io.text()).toContain('new key AKIDDEVICE');
    const rotated = readCreds(c);
    expect(rotated.accessKeyId).not.toBe(old.accessKeyId);
    expect((await call(rotated, 'GET', '/things/dev-b/shadow')).status).toBe(404);
    // A key taken out of the file stops working within a second.
    await new Promise((res) => setTimeout(res, 1100));
    const refused = await call(old, 'GET', '/things/dev-b/shadow');
    expect(refused.status).toBe(403);
    expect(refused.json.message).toBe('The security token included in the request is invalid.');
  });

  it('provision: --shared copies the cloud\'s admin key, with a warning', async () => {
    const out = tempDir();
    const io = capture();
    const env = { AWS_ACCESS_KEY_ID: EXAMPLE_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: EXAMPLE_CREDENTIALS.secretAccessKey };
    expect(await run(['cloud', 'provision', 'dev-c', '--out', out, '--data', cloud.dataDir, '--shared'], { stdout: io.stream, stderr: io.stream, env, cwd: out })).toBe(0);
    expect(readCreds(out)).toEqual(EXAMPLE_CREDENTIALS);
    expect(io.text()).toContain('SHARED admin key AKIDEXAMPLE');
    expect(io.text()).toContain('warning: --shared');
    expect(io.text()).not.toContain(EXAMPLE_CREDENTIALS.secretAccessKey);
  });

  it('provision: a damaged device-keys.json does not stop the cloud: the keys read before stay in force', async () => {
    const out = tempDir();
    await provisionThing({ dataDir: cloud.dataDir, thing: 'dev-d', outDir: out, env: {} });
    const key = readCreds(out);
    expect((await call(key, 'GET', '/things/dev-d/shadow')).status).toBe(404);
    const file = path.join(cloud.dataDir, DEVICE_KEYS_FILE);
    const saved = fs.readFileSync(file, 'utf8');
    try {
      fs.writeFileSync(file, '{"keys": [ trunc');
      logs.length = 0;
      expect((await call({ accessKeyId: 'AKIDUNKNOWNEXAMPLE00', secretAccessKey: 'x' }, 'GET', '/things/dev-d/shadow')).status).toBe(403);
      expect((await call(key, 'GET', '/things/dev-d/shadow')).status).toBe(404);
      expect(logs.join('\n')).toContain('keeping the keys read before');
      expect(logs.join('\n')).not.toContain(key.secretAccessKey);
    } finally {
      fs.writeFileSync(file, saved, { mode: 0o600 });
    }
  });
});
