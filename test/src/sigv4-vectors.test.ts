import { describe, expect, it } from 'vitest';
import { SigV4Signer } from '../../src/sigv4.js';
import type { SignableRequest } from '../../src/sigv4.js';
import { nodeCrypto } from '../support/sigv4-suite.js';

// The project's reference vectors (../shared/specs/aws-iot.md, "SigV4"), agreed by three
// independent implementations. Typed in from the spec, never computed by the code under test.
const HOST = 'a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com';
const DATE = Date.parse('2015-08-30T12:36:00Z');
const KEYS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const TOKEN = 'FQoGZXIvYXdzEXAMPLETOKEN//////////wEaDEXAMPLE=';

function signer(sessionToken?: string): SigV4Signer {
  return new SigV4Signer({
    crypto: nodeCrypto(),
    region: 'us-east-1',
    service: 'iotdata',
    credentials: sessionToken === undefined ? KEYS : { ...KEYS, sessionToken },
  });
}

const rows: readonly { name: string; req: SignableRequest; token?: string; signed: string; signature: string }[] = [
  { name: 'GET /things/t1/shadow', req: { method: 'GET', host: HOST, path: '/things/t1/shadow' }, signed: 'host;x-amz-date', signature: '8b07d5ea9bf0dbc26f7180b172f44f0bb334dd3d74f8a5c80522148ffa610afa' },
  { name: 'GET /things/t1/shadow?name=cfg', req: { method: 'GET', host: HOST, path: '/things/t1/shadow?name=cfg' }, signed: 'host;x-amz-date', signature: '8b1e5fe3579e62a182f6ff70f100fc4c5ee6fc8d3d71300390896f813c3724a2' },
  {
    name: 'POST /things/t1/shadow with a body',
    req: { method: 'POST', host: HOST, path: '/things/t1/shadow', body: '{"state":{"reported":{"temp":21}}}' },
    signed: 'host;x-amz-date',
    signature: '15984c1eac5cec32a9ff475358457b8de90b5abb8ae413bc52b4309880479f7f',
  },
  { name: 'DELETE /things/t1/shadow?name=cfg', req: { method: 'DELETE', host: HOST, path: '/things/t1/shadow?name=cfg' }, signed: 'host;x-amz-date', signature: 'e66ee2bf935f9b57762994e17099c57716da9daa8207cecac4852f921aa25146' },
  { name: 'GET /things/my%3Athing/shadow', req: { method: 'GET', host: HOST, path: '/things/my%3Athing/shadow' }, signed: 'host;x-amz-date', signature: 'f26ad7943edf89bf27ef584599ef6fee05b8a3b1a726035272688253ffa39b3d' },
  {
    name: 'GET /things/t1/shadow with a session token',
    req: { method: 'GET', host: HOST, path: '/things/t1/shadow' },
    token: TOKEN,
    signed: 'host;x-amz-date;x-amz-security-token',
    signature: 'cc5a96ad6d92190bf9e525ca5b9c137f918fe836977f1fba776e16f944f6e106',
  },
];

describe('sigv4: reference vectors of specs/aws-iot.md', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_n, row) => {
    const r = signer(row.token).sign(row.req, { date: DATE });
    expect(r.signature).toBe(row.signature);
    expect(r.authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iotdata/aws4_request, SignedHeaders=${row.signed}, Signature=${row.signature}`,
    );
    expect(r.headers['X-Amz-Date']).toBe('20150830T123600Z');
    expect(r.headers['Host']).toBe(HOST);
  });

  it('POST with an unsigned Content-Type still signs only host;x-amz-date when told so', () => {
    const r = signer().sign(
      { method: 'POST', host: HOST, path: '/things/t1/shadow', headers: { 'Content-Type': 'application/json' }, body: '{"state":{"reported":{"temp":21}}}' },
      { date: DATE, signHeaders: [] },
    );
    expect(r.signature).toBe('15984c1eac5cec32a9ff475358457b8de90b5abb8ae413bc52b4309880479f7f');
    expect(r.headers['Content-Type']).toBe('application/json');
  });

  it('my%3Athing is canonicalized as my%253Athing (encoded once more)', () => {
    const r = signer().sign({ method: 'GET', host: HOST, path: '/things/my%3Athing/shadow' }, { date: DATE });
    expect(r.canonicalRequest.split('\n')[1]).toBe('/things/my%253Athing/shadow');
  });

  it('a topic sent as one encoded segment is encoded twice', () => {
    const r = signer().sign({ method: 'POST', host: HOST, path: '/topics/%24aws%2Fthings%2Ft1%2Fshadow%2Fupdate?qos=1' }, { date: DATE });
    expect(r.canonicalRequest.split('\n')[1]).toBe('/topics/%2524aws%252Fthings%252Ft1%252Fshadow%252Fupdate');
  });

  it('presigned GET /things/t1/shadow, X-Amz-Expires=300', () => {
    const p = signer().presign({ method: 'GET', host: HOST, path: '/things/t1/shadow' }, { date: DATE, expiresSeconds: 300 });
    expect(p.signature).toBe('c212e77dd0683f0cee7b0c91c5a8b01493cd5cc35b7e3163fc74ed27ca01f35f');
    expect(p.path).toBe(
      '/things/t1/shadow?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fiotdata%2Faws4_request' +
        '&X-Amz-Date=20150830T123600Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host' +
        '&X-Amz-Signature=c212e77dd0683f0cee7b0c91c5a8b01493cd5cc35b7e3163fc74ed27ca01f35f',
    );
  });
});
