import { describe, expect, it } from 'vitest';
import {
  SigV4Signer,
  canonicalHeaderValue,
  canonicalHeaders,
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  computeSignature,
  formatAmzDate,
  parseAmzDate,
  parseAuthorization,
  sha256Hex,
  signingKey,
  stringToSign,
} from '../../src/sigv4.js';
import { nodeCrypto } from '../support/sigv4-suite.js';

const KEYS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const DATE = Date.parse('2015-08-30T12:36:00Z');
const HOST = 'example.amazonaws.com';

function signer(sessionToken?: string) {
  return new SigV4Signer({ crypto: nodeCrypto(), region: 'us-east-1', service: 'iotdata', credentials: sessionToken ? { ...KEYS, sessionToken } : KEYS });
}

describe('sigv4: canonical URI', () => {
  it.each([
    ['', '/'],
    ['/', '/'],
    ['//', '/'],
    ['//example//', '/example/'],
    ['/./example', '/example'],
    ['/example/..', '/'],
    ['/a/b/../c/./d', '/a/c/d'],
    ['/a/b/..', '/a'],
    ['/../../a', '/a'],
    ['/a/%2E%2E/b', '/a/%252E%252E/b'],
    ['/example space/', '/example%20space/'],
    ['/\u1234', '/%E1%88%B4'],
    ['/things/my%3Athing/shadow', '/things/my%253Athing/shadow'],
    ['/a%2fb', '/a%252fb'],
    ["/!'()*+$,;=:@", '/%21%27%28%29%2A%2B%24%2C%3B%3D%3A%40'],
    ['/-._~AZaz09', '/-._~AZaz09'],
  ])('%j → %j', (raw, want) => {
    expect(canonicalUri(raw)).toBe(want);
  });
});

describe('sigv4: canonical query', () => {
  it.each([
    ['', ''],
    ['a', 'a='],
    ['b=2&a=1', 'a=1&b=2'],
    ['a=2&a=10&a=1', 'a=1&a=10&a=2'],
    ['Param1=value2&Param1=Value1', 'Param1=Value1&Param1=value2'],
    ['a-=1&a=2', 'a=2&a-=1'],
    ['x=a+b', 'x=a%2Bb'],
    ['x=a%20b', 'x=a%20b'],
    ['x=%7e%2d', 'x=~-'],
    ["x=!'()*", 'x=%21%27%28%29%2A'],
    ['x=%zz&y=%4', 'x=%25zz&y=%254'],
    ['a=1&&b=2&', 'a=1&b=2'],
    ['k=v=w', 'k=v%3Dw'],
    ['\u1234=bar', '%E1%88%B4=bar'],
    ['X-Amz-Signature=abc&a=1', 'a=1'],
  ])('%j → %j', (raw, want) => {
    expect(canonicalQuery(raw)).toBe(want);
  });
});

describe('sigv4: canonical headers', () => {
  it('trims, collapses runs of spaces and tabs, keeps inner quotes', () => {
    expect(canonicalHeaderValue('  a \t  b   c ')).toBe('a b c');
    expect(canonicalHeaderValue('"a   b   c"')).toBe('"a b c"');
    expect(canonicalHeaderValue('')).toBe('');
  });

  it('folded lines become comma-separated values (suite get-header-value-multiline)', () => {
    expect(canonicalHeaderValue('value1\n  value2\n     value3')).toBe('value1,value2,value3');
    expect(canonicalHeaderValue('a\r\n b')).toBe('a,b');
  });

  it('joins repeated headers in arrival order, any name case, and sorts names', () => {
    const block = canonicalHeaders(
      [
        ['Zeta', ' z '],
        ['My-Header', 'b'],
        ['my-header', ' a '],
        ['Host', HOST],
      ],
      ['zeta', 'HOST', 'my-header', 'my-header'],
    );
    expect(block).toBe(`host:${HOST}\nmy-header:b,a\nzeta:z\n`);
  });
});

describe('sigv4: dates', () => {
  it('formats X-Amz-Date from epoch ms in UTC, dropping milliseconds', () => {
    expect(formatAmzDate(DATE + 999)).toBe('20150830T123600Z');
    expect(formatAmzDate(0)).toBe('19700101T000000Z');
    expect(formatAmzDate(Date.parse('2024-02-29T23:59:59Z'))).toBe('20240229T235959Z');
  });

  it('rejects a non-finite or negative time with EINVALID', () => {
    for (const bad of [NaN, Infinity, -1, undefined as unknown as number]) {
      expect(() => formatAmzDate(bad)).toThrow(expect.objectContaining({ code: 'EINVALID', message: expect.stringContaining('expected the signing time') }));
    }
  });

  it('parses X-Amz-Date back to epoch ms, and refuses impossible dates', () => {
    expect(parseAmzDate('20150830T123600Z')).toBe(DATE);
    expect(parseAmzDate('20240229T235959Z')).toBe(Date.parse('2024-02-29T23:59:59Z'));
    expect(parseAmzDate('19700101T000000Z')).toBe(0);
    for (const bad of ['20230229T000000Z', '20151330T000000Z', '20150431T000000Z', '20150830T246000Z', '20150830T123600', '2015-08-30T12:36:00Z', '']) {
      expect(parseAmzDate(bad), bad).toBeUndefined();
    }
  });

  it('format and parse agree with Date for random instants', () => {
    for (let i = 0; i < 500; i++) {
      const ms = Math.floor(Math.random() * 4102444800) * 1000;
      expect(parseAmzDate(formatAmzDate(ms))).toBe(ms);
      expect(formatAmzDate(ms)).toBe(new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, ''));
    }
  });
});

describe('sigv4: Authorization header parsing (for the verifier)', () => {
  it('takes apart what the signer writes', () => {
    const r = signer().sign({ method: 'GET', host: HOST, path: '/', headers: { 'X-Custom': 'v' } }, { date: DATE });
    const p = parseAuthorization(r.authorization);
    expect(p).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      day: '20150830',
      region: 'us-east-1',
      service: 'iotdata',
      scope: '20150830/us-east-1/iotdata/aws4_request',
      signedHeaders: ['host', 'x-amz-date', 'x-custom'],
      signature: r.signature,
    });
  });

  it.each([
    ['', 'expected "AWS4-HMAC-SHA256'],
    ['AWS4-HMAC-SHA1 Credential=a/b', 'expected "AWS4-HMAC-SHA256'],
    ['AWS4-HMAC-SHA256 SignedHeaders=host, Signature=ab', 'a Credential part'],
    ['AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/iotdata/aws4_request, Signature=ab', 'a SignedHeaders part'],
    ['AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/iotdata/aws4_request, SignedHeaders=host', 'a Signature part'],
    ['AWS4-HMAC-SHA256 Credential=AK/2015/us-east-1/iotdata/aws4_request, SignedHeaders=host, Signature=ab', 'Credential=ACCESSKEY/YYYYMMDD'],
    ['AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/iotdata/aws4_request, SignedHeaders=host, Signature=ab, Foo=1', 'only Credential'],
    ['AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/iotdata/aws4_request, Credential=x, SignedHeaders=host, Signature=ab', 'one Credential part'],
  ])('rejects %j with EAUTH', (header, message) => {
    expect(() => parseAuthorization(header)).toThrow(expect.objectContaining({ code: 'EAUTH', message: expect.stringContaining(message) }));
  });
});

describe('sigv4: a verifier rebuilds the signature from what arrived', () => {
  it('from method, raw path, raw query, header list and SignedHeaders', () => {
    const crypto = nodeCrypto();
    const sent = signer().sign(
      { method: 'POST', host: HOST, path: '/topics/%24aws%2Fthings?qos=1', headers: { 'Content-Type': 'application/json', 'X-Unsigned': 'x' }, body: '{"a":1}' },
      { date: DATE, signHeaders: ['content-type'] },
    );
    // What a server sees: raw header list in any order, names in any case, plus headers the client never signed.
    const arrived: [string, string][] = Object.entries(sent.headers).map(([k, v]) => [k.toLowerCase(), v]);
    arrived.push(['user-agent', 'test']);
    const auth = parseAuthorization(sent.headers['Authorization'] as string);
    const creq = canonicalRequest({
      method: 'POST',
      rawPath: '/topics/%24aws%2Fthings',
      rawQuery: 'qos=1',
      headers: arrived,
      signedHeaders: auth.signedHeaders,
      payloadHash: sha256Hex(crypto, '{"a":1}'),
    });
    expect(creq).toBe(sent.canonicalRequest);
    const amzDate = arrived.find((h) => h[0] === 'x-amz-date')?.[1] as string;
    const sts = stringToSign(amzDate, auth.scope, sha256Hex(crypto, creq));
    const key = signingKey(crypto, KEYS.secretAccessKey, auth.day, auth.region, auth.service);
    expect(computeSignature(crypto, key, sts)).toBe(auth.signature);
    expect(auth.signedHeaders).toEqual(['content-type', 'host', 'x-amz-date']);
  });
});

describe('sigv4: signer behaviour', () => {
  it('replaces Host, X-Amz-Date and Authorization given by the caller', () => {
    const r = signer().sign(
      { method: 'GET', host: HOST, path: '/', headers: { host: 'evil.example', 'x-amz-date': '20000101T000000Z', authorization: 'junk' } },
      { date: DATE },
    );
    expect(r.headers).toEqual({ Host: HOST, 'X-Amz-Date': '20150830T123600Z', Authorization: r.authorization });
    expect(r.canonicalRequest).toContain(`host:${HOST}\nx-amz-date:20150830T123600Z\n`);
  });

  it('sends a repeated header as one line that canonicalizes to what was signed', () => {
    const r = signer().sign({ method: 'GET', host: HOST, path: '/', headers: { 'X-A': ['1', ' 2 '], 'X-B': ' single  ' } }, { date: DATE });
    expect(r.canonicalRequest).toContain('x-a:1,2\n');
    expect(r.headers['X-A']).toBe('1,2');
    expect(r.headers['X-B']).toBe(' single  ');
    // A receiver sees one X-A line: its canonical form must be the signed one.
    const received = Object.entries(r.headers).map(([k, v]) => [k, v] as const);
    expect(canonicalHeaders(received, ['x-a', 'x-b'])).toBe('x-a:1,2\nx-b:single\n');
  });

  it('signHeaders list: signs those (any case) plus host and x-amz-date, sends all', () => {
    const r = signer().sign({ method: 'GET', host: HOST, path: '/', headers: { 'Content-Type': 'a/b', 'X-Other': 'o' } }, { date: DATE, signHeaders: ['CONTENT-TYPE', 'absent'] });
    expect(r.authorization).toContain('SignedHeaders=content-type;host;x-amz-date,');
    expect(r.headers['X-Other']).toBe('o');
  });

  it('session token: signed by default, or added after signing', () => {
    const token = 'TOKEN/+=';
    const before = signer(token).sign({ method: 'GET', host: HOST, path: '/' }, { date: DATE });
    expect(before.authorization).toContain('SignedHeaders=host;x-amz-date;x-amz-security-token,');
    expect(before.headers['X-Amz-Security-Token']).toBe(token);
    const after = signer(token).sign({ method: 'GET', host: HOST, path: '/' }, { date: DATE, sessionTokenPlacement: 'after' });
    expect(after.authorization).toContain('SignedHeaders=host;x-amz-date,');
    expect(after.headers['X-Amz-Security-Token']).toBe(token);
    expect(after.signature).toBe(signer().sign({ method: 'GET', host: HOST, path: '/' }, { date: DATE }).signature);
  });

  it('UNSIGNED-PAYLOAD option puts that in place of the body hash', () => {
    const r = signer().sign({ method: 'POST', host: HOST, path: '/', body: 'x' }, { date: DATE, unsignedPayload: true });
    expect(r.canonicalRequest.endsWith('\nUNSIGNED-PAYLOAD')).toBe(true);
  });

  it('a text body is hashed as UTF-8 and a byte body as is', () => {
    const crypto = nodeCrypto();
    const text = signer().sign({ method: 'POST', host: HOST, path: '/', body: 'é' }, { date: DATE });
    const bytes = signer().sign({ method: 'POST', host: HOST, path: '/', body: new Uint8Array([0xc3, 0xa9]) }, { date: DATE });
    expect(text.signature).toBe(bytes.signature);
    expect(text.canonicalRequest.endsWith(sha256Hex(crypto, 'é'))).toBe(true);
  });

  it('requires a signing time', () => {
    expect(() => signer().sign({ method: 'GET', host: HOST, path: '/' }, {})).toThrow(expect.objectContaining({ code: 'EINVALID' }));
  });

  it('rejects a bad region, service or credentials without showing the secret', () => {
    const crypto = nodeCrypto();
    expect(() => new SigV4Signer({ crypto, region: '', service: 'iotdata', credentials: KEYS })).toThrow(/region: expected a non-empty name/);
    expect(() => new SigV4Signer({ crypto, region: 'us-east-1', service: 'a/b', credentials: KEYS })).toThrow(/service: expected/);
    try {
      new SigV4Signer({ crypto, region: 'us-east-1', service: 'iotdata', credentials: { accessKeyId: '', secretAccessKey: KEYS.secretAccessKey } });
      expect.unreachable();
    } catch (e) {
      expect(String((e as Error).message)).not.toContain(KEYS.secretAccessKey);
      expect((e as { code: string }).code).toBe('EINVALID');
    }
  });
});

describe('sigv4: presign', () => {
  it('X-Amz-Expires must be a whole number from 1 to 604800 (EINVALID says expected and got)', () => {
    const s = signer();
    for (const bad of [0, -5, 604801, 1.5, NaN]) {
      expect(() => s.presign({ method: 'GET', host: HOST, path: '/' }, { date: DATE, expiresSeconds: bad })).toThrow(
        expect.objectContaining({ code: 'EINVALID', message: expect.stringMatching(/expected a whole number of seconds from 1 to 604800, got/) }),
      );
    }
    expect(s.presign({ method: 'GET', host: HOST, path: '/' }, { date: DATE, expiresSeconds: 604800 }).path).toContain('X-Amz-Expires=604800');
    expect(s.presign({ method: 'GET', host: HOST, path: '/' }, { date: DATE, expiresSeconds: 1 }).path).toContain('X-Amz-Expires=1&');
  });

  it('keeps the existing query, signs the token in the query, and verifies with canonicalQuery', () => {
    const p = signer('TOK/EN=').presign({ method: 'GET', host: HOST, path: '/mqtt?b=2&a=1' }, { date: DATE, expiresSeconds: 60 });
    expect(p.path.startsWith('/mqtt?b=2&a=1&X-Amz-Algorithm=AWS4-HMAC-SHA256&')).toBe(true);
    expect(p.path).toContain('&X-Amz-Security-Token=TOK%2FEN%3D&X-Amz-SignedHeaders=host&X-Amz-Signature=');
    // The verifier's view: canonicalQuery of the received query drops X-Amz-Signature.
    const query = p.path.substring(p.path.indexOf('?') + 1);
    expect(p.canonicalRequest.split('\n')[2]).toBe(canonicalQuery(query));
  });

  it("token placement 'after' appends X-Amz-Security-Token unsigned (AWS IoT WebSocket style)", () => {
    const p = signer('TOKEN').presign({ method: 'GET', host: HOST, path: '/mqtt' }, { date: DATE, expiresSeconds: 60, sessionTokenPlacement: 'after' });
    expect(p.path.endsWith(`&X-Amz-Signature=${p.signature}&X-Amz-Security-Token=TOKEN`)).toBe(true);
    expect(p.canonicalRequest).not.toContain('TOKEN');
  });
});
