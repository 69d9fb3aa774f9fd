/**
 * SigV4 verification of the local cloud: AWS's 403 texts for every failure, each with a Date
 * header; signatures from the project's signer, an independent one (aws4), presigned URLs, raw
 * wire paths.
 */
import aws4 from 'aws4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../hal/sim/crypto.js';
import { SigV4Signer } from '../../src/sigv4.js';
import type { RunningCloud } from '../../cloud/index.js';
import { EXAMPLE_CREDENTIALS, rawTls, readUntilClose, send, startTestCloud } from './support/cloud-fixture.js';
import type { TestResponse } from './support/cloud-fixture.js';

// The spec's example: server time 2013-10-08T00:16:12Z.
const SERVER_NOW = Date.parse('2013-10-08T00:16:12Z');
let cloud: RunningCloud;

beforeAll(async () => {
  cloud = await startTestCloud({ now: () => SERVER_NOW });
  const ok = await send(cloud, { method: 'POST', path: '/things/t1/shadow', body: '{"state":{"reported":{"a":1}}}', date: SERVER_NOW });
  expect(ok.status).toBe(200);
});
afterAll(async () => {
  await cloud.close();
});

function expectForbidden(r: TestResponse, message: string | RegExp): void {
  expect(r.status).toBe(403);
  expect(r.headers['x-amzn-errortype']).toBe('ForbiddenException:');
  expect(r.headers['content-type']).toBe('application/json');
  if (typeof message === 'string') expect(r.json.message).toBe(message);
  else expect(r.json.message).toMatch(message);
  expect(r.json.traceId).toBe(r.headers['x-amzn-requestid']);
  // A device with a wrong clock learns the time from it.
  expect(Date.parse(String(r.headers.date))).toBe(SERVER_NOW);
}

describe('signature checks', () => {
  it('auth: a correctly signed request within the window is accepted', async () => {
    const r = await send(cloud, { method: 'GET', path: '/things/t1/shadow', date: SERVER_NOW - 4 * 60_000 });
    expect(r.status).toBe(200);
  });

  it('auth: no Authorization at all is 403 Missing Authentication Token', async () => {
    expectForbidden(await send(cloud, { method: 'GET', path: '/things/t1/shadow', sign: false }), 'Missing Authentication Token');
  });

  it('auth: a wrong secret is the signature-mismatch 403 showing the canonical request', async () => {
    const r = await send(cloud, {
      method: 'GET',
      path: '/things/t1/shadow',
      date: SERVER_NOW,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-the-secret' },
    });
    expectForbidden(r, /^The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\. Consult the service documentation for details\./);
    expect(r.json.message).toContain(`The Canonical String for this request should have been\n'GET\n/things/t1/shadow\n`);
    expect(r.json.message).not.toContain(EXAMPLE_CREDENTIALS.secretAccessKey);
  });

  it('auth: an expired date gets AWS\'s exact text', async () => {
    const r = await send(cloud, { method: 'GET', path: '/things/t1/shadow', date: Date.parse('2013-10-08T00:10:36Z') });
    expectForbidden(r, 'Signature expired: 20131008T001036Z is now earlier than 20131008T001112Z (20131008T001612Z - 5 min.)');
  });

  it('auth: a date too far ahead is "Signature not yet current"', async () => {
    const r = await send(cloud, { method: 'GET', path: '/things/t1/shadow', date: Date.parse('2013-10-08T00:22:00Z') });
    expectForbidden(r, 'Signature not yet current: 20131008T002200Z is still later than 20131008T002112Z (20131008T001612Z + 5 min.)');
  });

  it('auth: a wrong service is refused with the service AWS expects', async () => {
    const r = await send(cloud, { method: 'GET', path: '/things/t1/shadow', date: SERVER_NOW, service: 's3' });
    expectForbidden(r, "Credential should be scoped to correct service: 'iotdata'. ");
  });

  it('auth: the developer guide\'s signing name iotdevicegateway is accepted too', async () => {
    expect((await send(cloud, { method: 'GET', path: '/things/t1/shadow', date: SERVER_NOW, service: 'iotdevicegateway' })).status).toBe(200);
  });

  it('auth: a tampered body fails the signature', async () => {
    const r = await send(cloud, {
      method: 'POST',
      path: '/things/t1/shadow',
      body: '{"state":{"reported":{"a":2}}}',
      date: SERVER_NOW,
      afterSign: (m) => {
        m.body = '{"state":{"reported":{"a":9}}}';
      },
    });
    expectForbidden(r, /^The request signature we calculated does not match/);
    const get = await send(cloud, { method: 'GET', path: '/things/t1/shadow', date: SERVER_NOW });
    expect(get.json.state.reported.a).not.toBe(9);
  });

  it('auth: a tampered query fails the signature', async () => {
    const r = await send(cloud, {
      method: 'GET',
      path: '/things/t1/shadow?name=a',
      date: SERVER_NOW,
      afterSign: () => undefined,
      headers: {},
    });
    expect(r.status).toBe(404); // signed as sent: fine
    const signer = new SigV4Signer({ crypto: nodeCrypto(), region: 'us-east-1', service: 'iotdata', credentials: EXAMPLE_CREDENTIALS });
    const signed = signer.sign({ method: 'GET', host: `127.0.0.1:${cloud.port}`, path: '/things/t1/shadow?name=a' }, { date: SERVER_NOW });
    const tampered = await send(cloud, { method: 'GET', path: '/things/t1/shadow?name=b', sign: false, headers: { ...signed.headers } });
    expectForbidden(tampered, /^The request signature we calculated does not match/);
  });

  it('auth: an unknown access key id is "The security token included in the request is invalid."', async () => {
    const r = await send(cloud, { method: 'GET', path: '/things/t1/shadow', date: SERVER_NOW, credentials: { accessKeyId: 'AKIDOTHER', secretAccessKey: 'x' } });
    expectForbidden(r, 'The security token included in the request is invalid.');
  });

  it('auth: a request whose Host is not signed is refused', async () => {
    const signer = new SigV4Signer({ crypto: nodeCrypto(), region: 'us-east-1', service: 'iotdata', credentials: EXAMPLE_CREDENTIALS });
    const signed = signer.sign({ method: 'GET', host: `127.0.0.1:${cloud.port}`, path: '/things/t1/shadow' }, { date: SERVER_NOW });
    const auth = signed.headers['Authorization']?.replace('SignedHeaders=host;x-amz-date', 'SignedHeaders=x-amz-date') ?? '';
    const r = await send(cloud, { method: 'GET', path: '/things/t1/shadow', sign: false, headers: { ...signed.headers, Authorization: auth } });
    expectForbidden(r, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
  });

  it('auth: a malformed Authorization header says which parts are missing', async () => {
    const r = await send(cloud, { method: 'GET', path: '/things/t1/shadow', sign: false, headers: { Authorization: 'Bearer abc', 'X-Amz-Date': '20131008T001612Z' } });
    expectForbidden(r, /Authorization header requires 'Credential' parameter\./);
  });

  it('auth: any region in the scope is accepted by default; --strict-region refuses others like AWS', async () => {
    expect((await send(cloud, { method: 'GET', path: '/things/t1/shadow', date: SERVER_NOW, region: 'eu-west-1' })).status).toBe(200);
    const strict = await startTestCloud({ regionCheck: 'strict', now: () => SERVER_NOW });
    try {
      expectForbidden(await send(strict, { method: 'GET', path: '/things/t1/shadow', date: SERVER_NOW, region: 'eu-west-1' }), 'Credential should be scoped to a valid region. ');
      expect((await send(strict, { method: 'GET', path: '/things/t1/shadow', date: SERVER_NOW })).status).toBe(404);
    } finally {
      await strict.close();
    }
  });

  it('auth: temporary credentials need their session token', async () => {
    const creds = { ...EXAMPLE_CREDENTIALS, sessionToken: 'FQoGZXIvYXdzEXAMPLETOKEN//////////wEaDEXAMPLE=' };
    const c = await startTestCloud({ credentials: creds });
    try {
      expect((await send(c, { method: 'GET', path: '/things/t/shadow', credentials: creds })).status).toBe(404);
      expectTokenRefused(await send(c, { method: 'GET', path: '/things/t/shadow' }));
    } finally {
      await c.close();
    }
  });
});

function expectTokenRefused(r: TestResponse): void {
  expect(r.status).toBe(403);
  expect(r.json.message).toBe('The security token included in the request is invalid.');
}

describe('what signers send', () => {
  it('auth: a request signed by the independent aws4 package verifies', async () => {
    const body = '{"state":{"reported":{"via":"aws4"}}}';
    const opts = { host: `127.0.0.1:${cloud.port}`, method: 'POST', path: '/things/t1/shadow?name=aws4', service: 'iotdata', region: 'us-east-1', body, headers: { 'Content-Type': 'application/json' } };
    const signed = aws4.sign(opts, EXAMPLE_CREDENTIALS) as { headers: Record<string, string> };
    // aws4 reads the clock itself; the server's clock is fixed in 2013, so run it against a cloud on real time.
    const live = await startTestCloud();
    try {
      const r = await send(live, { method: 'POST', path: '/things/t1/shadow?name=aws4', sign: false, body, headers: { ...signed.headers, Host: `127.0.0.1:${live.port}` } });
      // Host changed after signing: refused; re-sign for the live port.
      expect(r.status).toBe(403);
      const opts2 = { ...opts, host: `127.0.0.1:${live.port}`, headers: { 'Content-Type': 'application/json' } };
      const signed2 = aws4.sign(opts2, EXAMPLE_CREDENTIALS) as { headers: Record<string, string> };
      const ok = await send(live, { method: 'POST', path: '/things/t1/shadow?name=aws4', sign: false, body, headers: signed2.headers });
      expect(ok.status).toBe(200);
      expect(ok.json.state.reported.via).toBe('aws4');
    } finally {
      await live.close();
    }
  });

  it('auth: a presigned URL verifies, and fails once X-Amz-Expires has passed', async () => {
    const signer = new SigV4Signer({ crypto: nodeCrypto(), region: 'us-east-1', service: 'iotdata', credentials: EXAMPLE_CREDENTIALS });
    const pre = signer.presign({ method: 'GET', host: `127.0.0.1:${cloud.port}`, path: '/things/t1/shadow' }, { date: SERVER_NOW - 60_000, expiresSeconds: 300 });
    expect((await send(cloud, { method: 'GET', path: pre.path, sign: false })).status).toBe(200);
    const old = signer.presign({ method: 'GET', host: `127.0.0.1:${cloud.port}`, path: '/things/t1/shadow' }, { date: SERVER_NOW - 120_000, expiresSeconds: 60 });
    expectForbidden(await send(cloud, { method: 'GET', path: old.path, sign: false }), /^Signature expired: /);
  });

  it('auth: escapes such as %2B and percent-encoded UTF-8 are verified as sent on the wire', async () => {
    // A valid signature over a name that breaks the name rules: 400 (signature fine), not 403.
    for (const p of ['/things/t1/shadow?name=a%2Bb', '/things/%E1%88%B4/shadow', '/things/a%20b/shadow']) {
      const r = await send(cloud, { method: 'GET', path: p, date: SERVER_NOW });
      expect(r.status, p).toBe(400);
      expect(r.headers['x-amzn-errortype']).toBe('InvalidRequestException:');
    }
  });

  it('auth: raw non-ASCII bytes in the request line get a plain 400 with a Date, and the server goes on', async () => {
    const s = await rawTls(cloud);
    s.write(Buffer.from('GET /things/\u1234/shadow HTTP/1.1\r\nHost: x\r\n\r\n', 'utf8'));
    const got = await readUntilClose(s, 5000);
    expect(got.text.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(got.text).toMatch(/\r\nDate: /);
    expect((await send(cloud, { method: 'GET', path: '/things/t1/shadow', date: SERVER_NOW })).status).toBe(200);
  });
});
