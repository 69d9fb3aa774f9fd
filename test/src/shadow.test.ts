import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../hal/sim/crypto.js';
import { createSimHttp } from '../../hal/sim/http.js';
import type { SimHttp } from '../../hal/sim/http.js';
import { AwsError } from '../../src/aws-error.js';
import type { Endpoint } from '../../src/endpoint.js';
import { DormouseError } from '../../src/errors.js';
import { ShadowClient } from '../../src/shadow.js';
import { SigV4Signer } from '../../src/sigv4.js';
import { EXAMPLE_CREDENTIALS, startFakeIot } from '../support/fake-iot.js';
import type { FakeIot } from '../support/fake-iot.js';
import { issueCert, localhostPki } from '../support/forge-pki.js';
import type { TestCert } from '../support/forge-pki.js';

const pki = localhostPki();
let server: FakeIot;
let http: SimHttp;
let clockMs = Date.UTC(2025, 5, 1, 12, 0, 0);
const clock = { now: () => clockMs };

function client(o?: { endpoint?: Endpoint; auth?: 'x509' }): ShadowClient {
  const endpoint = o?.endpoint ?? { scheme: 'https', host: 'localhost', port: server.port, tls: { ca: pki.ca.cert } };
  const auth =
    o?.auth === 'x509'
      ? ({ kind: 'x509' } as const)
      : ({ kind: 'sigv4', signer: new SigV4Signer({ crypto: nodeCrypto(), region: 'us-east-1', service: 'iotdata', credentials: EXAMPLE_CREDENTIALS }) } as const);
  return new ShadowClient({ http, endpoint, auth, clock, timeoutMs: 5000, crypto: nodeCrypto() });
}

async function rejection(p: Promise<unknown>): Promise<DormouseError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DormouseError);
    return e as DormouseError;
  }
  throw new Error('expected a rejection, got a result');
}

beforeAll(async () => {
  server = await startFakeIot({ cert: pki.server.cert, key: pki.server.key });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  http?.close();
  http = createSimHttp();
  server.requests.length = 0;
  for (const k of Object.keys(server.shadows)) delete server.shadows[k];
});

describe('shadow client against an HTTPS server', () => {
  it('shadow: get sends a signed GET /things/{thing}/shadow and returns the document', async () => {
    server.shadows['t1'] = { desired: { sleep: 30, signal: 2 }, reported: { sleep: 30 }, version: 7 };
    const r = await client().get('t1');
    expect(r.status).toBe(200);
    expect(r.body.version).toBe(7);
    expect(r.body.state?.delta).toEqual({ signal: 2 });
    expect(r.bytesIn).toBeGreaterThan(0);
    expect(r.bytesOut).toBeGreaterThan(0);
    expect(typeof r.date).toBe('number');
    expect(Math.abs((r.date as number) - Date.now())).toBeLessThan(5000);
    const req = server.requests[0];
    expect(req?.method).toBe('GET');
    expect(req?.url).toBe('/things/t1/shadow');
    expect(req?.signature).toBe('valid');
    expect(req?.headers['host']).toBe(`localhost:${server.port}`);
    expect(req?.amzDate).toBe('20250601T120000Z');
  });

  it('shadow: the signature matches an independent signer (@smithy/signature-v4) for the same request', async () => {
    server.shadows['t1'] = { reported: { a: 1 }, version: 1 };
    await client().update('t1', { state: { reported: { temp: 21 } } }, 'cfg');
    const sent = server.requests[0];
    const oracle = new SignatureV4({ credentials: EXAMPLE_CREDENTIALS, region: 'us-east-1', service: 'iotdata', sha256: Sha256, applyChecksum: false });
    const signed = await oracle.sign(
      {
        method: 'POST',
        protocol: 'https:',
        hostname: 'localhost',
        port: server.port,
        path: '/things/t1/shadow',
        query: { name: 'cfg' },
        headers: { host: `localhost:${server.port}` },
        body: sent?.body,
      },
      { signingDate: new Date(clockMs) },
    );
    expect(sent?.headers['authorization']).toBe(signed.headers['authorization']);
  });

  it('shadow: a request signed with the wrong secret fails verification (403 EAUTH)', async () => {
    server.shadows['t1'] = { reported: { a: 1 }, version: 1 };
    const wrong = new SigV4Signer({ crypto: nodeCrypto(), region: 'us-east-1', service: 'iotdata', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-the-secret' } });
    const c = new ShadowClient({ http, endpoint: { scheme: 'https', host: 'localhost', port: server.port, tls: { ca: pki.ca.cert } }, auth: { kind: 'sigv4', signer: wrong }, clock });
    const e = (await rejection(c.get('t1'))) as AwsError;
    expect(e.code).toBe('EAUTH');
    expect(server.requests[0]?.signature).toBe('signature mismatch');
    expect(e.message).not.toContain('not-the-secret');
  });

  it('shadow: a ":" in a thing name is sent as %3A and the signature still verifies', async () => {
    server.shadows['my:thing'] = { reported: { a: 1 }, version: 1 };
    const r = await client().get('my:thing');
    expect(r.body.state?.reported).toEqual({ a: 1 });
    expect(server.requests[0]?.url).toBe('/things/my%3Athing/shadow');
    expect(server.requests[0]?.signature).toBe('valid');
  });

  it('shadow: a named shadow goes in ?name= (encoded), classic and named are separate', async () => {
    server.shadows['t1/$cfg'] = { desired: { mode: 'eco' }, version: 3 };
    const r = await client().get('t1', '$cfg');
    expect(r.body.state?.desired).toEqual({ mode: 'eco' });
    expect(server.requests[0]?.url).toBe('/things/t1/shadow?name=%24cfg');
    expect(server.requests[0]?.signature).toBe('valid');
    const e = await rejection(client().get('t1'));
    expect((e as AwsError).status).toBe(404);
  });

  it('shadow: update POSTs the request document and returns the accepted one', async () => {
    const r = await client().update('t1', { state: { reported: { temp: 21, name: 'Zoë' } } });
    expect(r.body['version']).toBe(1);
    const req = server.requests[0];
    expect(req?.method).toBe('POST');
    expect(JSON.parse(req?.body ?? '')).toEqual({ state: { reported: { temp: 21, name: 'Zoë' } } });
    expect(req?.headers['content-length']).toBe(String(Buffer.byteLength(req?.body ?? '', 'utf8')));
    expect(req?.signature).toBe('valid');
    expect(server.shadows['t1']?.reported).toEqual({ temp: 21, name: 'Zoë' });
  });

  it('shadow: X-Amz-Date is taken from the clock at each request, not once', async () => {
    const c = client();
    await c.update('t1', { state: { desired: { sleep: 60 } } });
    clockMs += 61_000;
    await c.get('t1');
    expect(server.requests.map((r) => r.amzDate)).toEqual(['20250601T120000Z', '20250601T120101Z']);
    expect(server.requests.every((r) => r.signature === 'valid')).toBe(true);
    clockMs -= 61_000;
  });

  it('shadow: the GET and the POST of a wake share one kept-alive connection', async () => {
    const before = server.connections();
    const c = client();
    await c.update('t1', { state: { reported: { a: 1 } } });
    await c.get('t1');
    expect(server.connections() - before).toBe(1);
    expect(server.requests[0]?.connection).toBe(server.requests[1]?.connection);
    expect(http.stats.connections).toBe(1);
  });

  it('shadow: update with version conflict returns 409 as an AwsError', async () => {
    server.shadows['t1'] = { reported: { a: 1 }, version: 5 };
    const e = await rejection(client().update('t1', { state: { reported: { a: 2 } }, version: 4 }));
    expect(e).toBeInstanceOf(AwsError);
    const a = e as AwsError;
    expect(a.code).toBe('ECLOUD');
    expect(a.status).toBe(409);
    expect(a.type).toBe('ConflictException');
    expect(a.serverMessage).toBe('Version conflict');
    expect(a.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.message).toContain('409');
    expect(a.message).toContain('Version conflict');
  });

  it('shadow: get of a missing shadow is a 404 ResourceNotFoundException', async () => {
    const a = (await rejection(client().get('nobody'))) as AwsError;
    expect(a.status).toBe(404);
    expect(a.code).toBe('ECLOUD');
    expect(a.type).toBe('ResourceNotFoundException');
    expect(a.serverMessage).toBe("No shadow exists with name: 'nobody'");
  });

  it('shadow: a 403 is EAUTH and carries the server Date as epoch ms (to fix the clock)', async () => {
    server.next({
      status: 403,
      headers: {
        'x-amzn-ErrorType': 'ForbiddenException:http://internal.amazon.com/coral/com.amazon.coral.service/',
        'x-amzn-RequestId': 'req-123',
        date: 'Tue, 08 Oct 2013 00:16:12 GMT',
        'content-type': 'application/json',
      },
      body: '{"message":"Signature expired: 20131008T001036Z is now earlier than 20131008T001112Z (20131008T001612Z - 5 min.)"}',
    });
    const a = (await rejection(client().get('t1'))) as AwsError;
    expect(a.code).toBe('EAUTH');
    expect(a.status).toBe(403);
    expect(a.type).toBe('ForbiddenException');
    expect(a.requestId).toBe('req-123');
    expect(a.date).toBe(Date.UTC(2013, 9, 8, 0, 16, 12));
    expect(a.serverMessage).toMatch(/^Signature expired/);
    expect(a.message).not.toContain(EXAMPLE_CREDENTIALS.secretAccessKey);
  });

  it('shadow: an error without x-amzn-ErrorType is named by its status; a non-JSON body becomes the message', async () => {
    server.next({ status: 503, body: '<html>Service Unavailable</html>' });
    const a = (await rejection(client().get('t1'))) as AwsError;
    expect(a.type).toBe('503');
    expect(a.code).toBe('ECLOUD');
    expect(a.serverMessage).toBe('<html>Service Unavailable</html>');
    expect(a.date).toBeTypeOf('number');
  });

  it.each([
    ['not JSON', 'hello world'],
    ['an empty body', ''],
    ['an array', '[1,2,3]'],
    ['JSON with trailing junk (Espruino parses it)', '{"state":{}} trailing'],
    ['state not an object', '{"state":5,"version":1}'],
    ['desired not an object', '{"state":{"desired":"on"}}'],
    ['version not a number', '{"state":{},"version":"7"}'],
  ])('shadow: a 200 body that is %s is EBADDOC', async (_what, body) => {
    server.next({ status: 200, headers: { 'content-type': 'application/json' }, body });
    const e = await rejection(client().get('t1'));
    expect(e.code).toBe('EBADDOC');
    expect(e.message).toContain('expected a shadow document');
    expect(e.message).toContain('GET /things/t1/shadow');
  });

  it('shadow: EBADDOC quotes a short, printable excerpt of the body only', async () => {
    server.next({ status: 200, body: `garbage\u0001\u00e9${'x'.repeat(500)}` });
    const e = await rejection(client().get('t1'));
    expect(e.code).toBe('EBADDOC');
    expect(e.message).toContain('"garbage??x');
    expect(e.message.length).toBeLessThan(200);
  });

  it.each([
    ['a space', 'my thing'],
    ['empty', ''],
    ['129 characters', 'a'.repeat(129)],
    ['a slash', 'a/b'],
    ['non-ASCII', 'thé'],
  ])('shadow: a thing name with %s is EINVALID and nothing is sent', async (_what, name) => {
    const e = await rejection(client().get(name));
    expect(e.code).toBe('EINVALID');
    expect(e.message).toContain('thing name');
    expect(e.message).toContain('expected 1..128');
    expect(server.requests).toHaveLength(0);
  });

  it('shadow: a thing name of 128 characters is accepted', async () => {
    const name = `${'a'.repeat(127)}:`;
    server.shadows[name] = { reported: { x: 1 }, version: 1 };
    const r = await client().get(name);
    expect(r.body.version).toBe(1);
  });

  it.each([['a/b'], [''], ['x'.repeat(65)], ['name?x=1']])('shadow: shadow name %j is EINVALID', async (name) => {
    const e = await rejection(client().update('t1', { state: { reported: {} } }, name));
    expect(e.code).toBe('EINVALID');
    expect(e.message).toContain('shadow name');
    expect(server.requests).toHaveLength(0);
  });

  it('shadow: delete sends DELETE and returns the version; a second delete is 404', async () => {
    server.shadows['t1/cfg'] = { desired: { a: 1 }, version: 4 };
    const r = await client().delete('t1', 'cfg');
    expect(r.body['version']).toBe(4);
    expect(server.requests[0]?.method).toBe('DELETE');
    expect(server.requests[0]?.url).toBe('/things/t1/shadow?name=cfg');
    const e = (await rejection(client().delete('t1', 'cfg'))) as AwsError;
    expect(e.status).toBe(404);
  });

  it('shadow: listNamed pages with pageSize and nextToken', async () => {
    for (const n of ['a', 'b', 'c']) server.shadows[`t1/${n}`] = { reported: {}, version: 1 };
    server.shadows['t1'] = { reported: {}, version: 1 };
    const c = client();
    const p1 = await c.listNamed('t1', { pageSize: 2 });
    expect(p1.body.results).toEqual(['a', 'b']);
    expect(p1.body.nextToken).toBe('2');
    const p2 = await c.listNamed('t1', { pageSize: 2, nextToken: p1.body.nextToken as string });
    expect(p2.body.results).toEqual(['c']);
    expect(p2.body.nextToken).toBeUndefined();
    expect(server.requests.map((r) => r.url)).toEqual([
      '/api/things/shadow/ListNamedShadowsForThing/t1?pageSize=2',
      '/api/things/shadow/ListNamedShadowsForThing/t1?pageSize=2&nextToken=2',
    ]);
    expect(server.requests.every((r) => r.signature === 'valid')).toBe(true);
    const e = await rejection(c.listNamed('t1', { pageSize: 101 }));
    expect(e.code).toBe('EINVALID');
  });

  it('shadow: listNamed rejects a results field that is not a list of names', async () => {
    server.next({ status: 200, body: '{"results":"a,b","timestamp":1}' });
    const e = await rejection(client().listNamed('t1'));
    expect(e.code).toBe('EBADDOC');
  });

  it('shadow: publish encodes the whole topic as ONE path segment', async () => {
    const r = await client().publish('$aws/things/t1/shadow/update', '{"state":{}}', 1);
    expect(r.body['message']).toBe('OK');
    const req = server.requests[0];
    expect(req?.url).toBe('/topics/%24aws%2Fthings%2Ft1%2Fshadow%2Fupdate?qos=1');
    expect(req?.body).toBe('{"state":{}}');
    expect(req?.signature).toBe('valid');
  });

  it('shadow: publish encodes non-ASCII topics as UTF-8 bytes', async () => {
    await client().publish('sensors/café', 'x');
    expect(server.requests[0]?.url).toBe('/topics/sensors%2Fcaf%C3%A9?qos=0');
    expect(server.requests[0]?.signature).toBe('valid');
  });

  it.each([['a/+/b'], ['a/#'], [''], ['a/b/c/d/e/f/g/h/i']])('shadow: publish to %j is EINVALID', async (topic) => {
    const e = await rejection(client().publish(topic, 'x'));
    expect(e.code).toBe('EINVALID');
    expect(server.requests).toHaveLength(0);
  });
});

describe('shadow client with X.509 auth', () => {
  let x509: FakeIot;
  let clientCert: TestCert;
  beforeAll(async () => {
    clientCert = issueCert(pki.ca, { commonName: 'thing-t1', client: true });
    x509 = await startFakeIot({ cert: pki.server.cert, key: pki.server.key, clientCa: pki.ca.cert });
  });
  afterAll(async () => {
    await x509.close();
  });

  it('shadow: x509 auth sends no signature and presents the client certificate', async () => {
    const endpoint: Endpoint = {
      scheme: 'https',
      host: '127.0.0.1',
      port: x509.port,
      tls: { ca: pki.ca.cert, cert: clientCert.cert, key: clientCert.key },
    };
    x509.shadows['t1'] = { reported: { a: 1 }, version: 2 };
    const r = await client({ endpoint, auth: 'x509' }).get('t1');
    expect(r.body.version).toBe(2);
    expect(x509.requests[0]?.signature).toBe('absent');
    expect(x509.requests[0]?.headers['x-amz-date']).toBeUndefined();
  });

  it('shadow: without a client certificate the TLS server refuses (ETLS or ECONN)', async () => {
    const endpoint: Endpoint = { scheme: 'https', host: '127.0.0.1', port: x509.port, tls: { ca: pki.ca.cert } };
    const e = (await client({ endpoint, auth: 'x509' })
      .get('t1')
      .then(
        () => undefined,
        (err: unknown) => err,
      )) as { code?: string };
    expect(['ETLS', 'ECONN']).toContain(e?.code);
  });
});
