/**
 * Differential property tests: dormouse's signer against two independent SigV4 implementations,
 * `aws4` and `@smithy/signature-v4` (the AWS SDK's), on random requests.
 *
 * Where the oracles' inputs differ from a wire request, and why (each is a known limitation of
 * the oracle, not of AWS's rules, so the inputs are shaped to stay inside what it gets right):
 * - Paths: dormouse takes the wire path; both oracles also do (smithy with its default
 *   `uriEscapePath: true`, which is the "encode the encoded path once more" rule of non-S3
 *   services; S3 clients pass `false`). `aws4` runs `encodeURI(decodeURI(path))` on any path
 *   holding a character outside `[0-9A-Za-z;,/?:@&=+$-_.!~*'()#%]` (that changes raw spaces and
 *   unicode, see suite cases get-space/get-utf8), so wire paths here are built by
 *   percent-encoding every other character, which is what a client sends anyway.
 * - Query: `aws4` parses with `querystring`, which turns `+` into a space; AWS clients send a
 *   space as `%20` and dormouse reads `+` as a plus. So `+` is always sent as `%2B` here.
 *   smithy takes the query already decoded, as an object: repeated names are given as an array
 *   (smithy sorts `name=value` strings within a name, which orders like AWS's value order).
 * - Headers: both oracles take an object, so they cannot receive a repeated header. They get
 *   the values trimmed and joined with `,` (what HTTP's field combining does); dormouse gets
 *   them as separate values. smithy signs `x-amz-content-sha256` unless `applyChecksum: false`
 *   (an S3 convention), and both skip headers such as `user-agent`/`expect`: names here are
 *   `x-h*`, outside those lists. Multi-line values are covered by the suite (smithy turns a
 *   line break into a space where the suite wants `,`).
 * - Bodies: `aws4` adds and signs `Content-Type`/`Content-Length` when a body has none, so a
 *   non-empty body always comes with both, for every signer.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import aws4 from 'aws4';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SigV4Signer } from '../../src/sigv4.js';
import { softCrypto } from '../../src/soft-crypto.js';
import { nodeCrypto } from '../support/sigv4-suite.js';

// SIGV4_FUZZ_RUNS raises the run count for a deeper local search; the seed keeps CI runs repeatable.
const RUNS = Number(process.env.SIGV4_FUZZ_RUNS ?? 200);
const SEED = 20150830;

interface Header {
  readonly name: string;
  readonly values: readonly string[];
}
interface Param {
  readonly name: string;
  readonly value: string | undefined; // undefined: a bare name
}
interface Case {
  readonly method: string;
  readonly host: string;
  readonly region: string;
  readonly service: string;
  readonly date: number;
  readonly segments: readonly string[];
  readonly trailingSlash: boolean;
  readonly lowerHex: boolean;
  /** Leave spaces and non-ASCII raw in the path (as suite cases get-space/get-utf8 do): smithy only. */
  readonly rawChars: boolean;
  readonly params: readonly Param[];
  readonly headers: readonly Header[];
  readonly body: string | Uint8Array | undefined;
  readonly token: string | undefined;
}

const KEYS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

// Characters that make encoding interesting: reserved, sub-delims, %, space, unicode (BMP and astral).
const tricky = fc.constantFrom(...`!$&'()*+,;=:@/?#[]% "<>\\^\`{|}.-_~aZ09`.split(''), 'é', 'ሴ', '中', '😀', '\u00a0');
const text = fc.oneof(fc.string({ unit: tricky, maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 6 }));

const arbCase: fc.Arbitrary<Case> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'),
  host: fc.constantFrom('example.amazonaws.com', 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com', 'localhost:8443', 'abc.execute-api.us-west-2.amazonaws.com'),
  region: fc.constantFrom('us-east-1', 'eu-west-1', 'ap-southeast-2'),
  service: fc.constantFrom('iotdata', 'execute-api', 'dynamodb', 'service'),
  // 2000-01-01 .. 2099-12-31, with milliseconds (signers must drop them).
  date: fc.integer({ min: 946684800000, max: 4102444799999 }),
  segments: fc.array(fc.oneof({ weight: 6, arbitrary: text }, { weight: 1, arbitrary: fc.constantFrom('.', '..', '') }), { maxLength: 5 }),
  trailingSlash: fc.boolean(),
  lowerHex: fc.boolean(),
  rawChars: fc.boolean(),
  params: fc.array(
    fc.record({
      // A small name pool makes repeated names common.
      name: fc.oneof(fc.constantFrom('a', 'A', 'a-', 'a0', 'aa', 'b', 'name', 'Param1', 'x y'), text.filter((s) => s !== '')),
      value: fc.option(text, { nil: undefined }),
    }),
    { maxLength: 5 },
  ),
  headers: fc.uniqueArray(
    fc.record({
      name: fc.stringMatching(/^x-h[a-zA-Z0-9-]{0,8}$/),
      values: fc.array(fc.string({ unit: fc.constantFrom(' ', ' ', '\t', 'a', 'B', 'z', '1', '"', ',', ';', '=', '/', 'é', 'ሴ', '😀'), maxLength: 12 }), {
        minLength: 1,
        maxLength: 3,
      }),
    }),
    { maxLength: 4, selector: (h) => h.name.toLowerCase() },
  ),
  body: fc.oneof(fc.constant(undefined), fc.constant(''), fc.string({ unit: 'binary', maxLength: 150 }), fc.uint8Array({ maxLength: 150 })),
  token: fc.option(fc.stringMatching(/^[A-Za-z0-9+/=]{1,60}$/), { nil: undefined }),
});

/**
 * Percent-encode with node's Buffer (independent of the code under test), keeping `keep` raw,
 * and with `rawChars` also spaces and non-ASCII characters.
 */
function encode(s: string, keep: string, lowerHex: boolean, rawChars = false): string {
  let out = '';
  for (const ch of s) {
    if (/[A-Za-z0-9\-._~]/.test(ch) || keep.includes(ch) || (rawChars && (ch === ' ' || ch.charCodeAt(0) > 0x7f))) {
      out += ch;
      continue;
    }
    for (const b of Buffer.from(ch, 'utf8')) {
      const hex = b.toString(16).padStart(2, '0');
      out += '%' + (lowerHex ? hex : hex.toUpperCase());
    }
  }
  return out;
}

/** The wire path: segments encoded as a lenient client would (RFC 3986 pchar sub-delims left raw). */
function wirePath(c: Case, rawChars = false): string {
  return '/' + c.segments.map((s) => encode(s, "!$&'()*+,;=:@", c.lowerHex, rawChars)).join('/') + (c.trailingSlash && c.segments.length > 0 ? '/' : '');
}

/** The wire query: `&`, `=`, `#`, `+` always encoded, other query-legal characters left raw. */
function wireQuery(c: Case): string {
  return c.params.map((p) => encode(p.name, "!$'()*,;:@/?", c.lowerHex) + (p.value === undefined ? '' : '=' + encode(p.value, "!$'()*,;:@/?=", c.lowerHex))).join('&');
}

function bodyHeaders(c: Case): Record<string, string> {
  if (c.body === undefined || c.body.length === 0) return {};
  const len = typeof c.body === 'string' ? Buffer.byteLength(c.body) : c.body.length;
  return { 'Content-Type': 'application/octet-stream', 'Content-Length': String(len) };
}

/** Headers as dormouse takes them: repeated values as arrays. */
function ourHeaders(c: Case): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = { ...bodyHeaders(c) };
  for (const h of c.headers) out[h.name] = h.values.length === 1 ? (h.values[0] as string) : [...h.values];
  return out;
}

/** Headers as the oracles take them: one string per name (values trimmed, joined with `,`). */
function oracleHeaders(c: Case): Record<string, string> {
  const out: Record<string, string> = { ...bodyHeaders(c) };
  for (const h of c.headers) out[h.name] = h.values.map((v) => v.replace(/^[ \t]+|[ \t]+$/g, '')).join(',');
  return out;
}

function amzDateOf(ms: number): string {
  return new Date(ms).toISOString().replace(/[:-]|\.\d{3}/g, '');
}

function ours(c: Case, crypto = nodeCrypto(), rawChars = false) {
  const signer = new SigV4Signer({ crypto, region: c.region, service: c.service, credentials: { ...KEYS, sessionToken: c.token } });
  const q = wireQuery(c);
  return signer.sign({ method: c.method, host: c.host, path: wirePath(c, rawChars) + (q === '' ? '' : '?' + q), headers: ourHeaders(c), body: c.body }, { date: c.date });
}

/** aws4 tests `request.body` for truth: an empty Buffer would count as a body, so none is given. */
function aws4Body(c: Case): string | Buffer | undefined {
  if (c.body === undefined || c.body.length === 0) return undefined;
  return c.body instanceof Uint8Array ? Buffer.from(c.body) : c.body;
}

function smithySigner(c: Case): SignatureV4 {
  return new SignatureV4({ credentials: { ...KEYS, sessionToken: c.token }, region: c.region, service: c.service, sha256: Sha256, applyChecksum: false });
}

function smithyQuery(c: Case): Record<string, string | string[]> {
  const q: Record<string, string | string[]> = Object.create(null);
  for (const p of c.params) {
    const v = p.value ?? '';
    const prev = q[p.name];
    q[p.name] = prev === undefined ? v : typeof prev === 'string' ? [prev, v] : [...prev, v];
  }
  return q;
}

describe('sigv4: differential tests against aws4 and @smithy/signature-v4', () => {
  it('sign: canonical request and Authorization equal aws4', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const mine = ours(c);
        const q = wireQuery(c);
        const signer = new aws4.RequestSigner(
          {
            method: c.method,
            host: c.host,
            path: wirePath(c) + (q === '' ? '' : '?' + q),
            service: c.service,
            region: c.region,
            headers: { Host: c.host, 'X-Amz-Date': amzDateOf(c.date), ...oracleHeaders(c) },
            body: aws4Body(c),
          },
          { ...KEYS, sessionToken: c.token },
        );
        const canonical = signer.canonicalString(); // before sign(), which adds the signature
        signer.sign();
        expect(mine.canonicalRequest).toBe(canonical);
        expect(mine.authorization).toBe(signer.request.headers?.['Authorization']);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('sign: Authorization equals @smithy/signature-v4', async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async (c) => {
        const mine = ours(c, nodeCrypto(), c.rawChars);
        const signed = await smithySigner(c).sign(
          { method: c.method, protocol: 'https:', hostname: c.host, path: wirePath(c, c.rawChars), query: smithyQuery(c), headers: { host: c.host, ...oracleHeaders(c) }, body: c.body },
          { signingDate: new Date(c.date) },
        );
        expect(mine.authorization).toBe(signed.headers['authorization']);
      }),
      { numRuns: RUNS, seed: SEED + 1 },
    );
  });

  it('presign: signature equals aws4 (canonical request too) and @smithy/signature-v4', async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, fc.integer({ min: 1, max: 604800 }), async (c, expires) => {
        const signer = new SigV4Signer({ crypto: nodeCrypto(), region: c.region, service: c.service, credentials: { ...KEYS, sessionToken: c.token } });
        const q = wireQuery(c);
        const path = wirePath(c) + (q === '' ? '' : '?' + q);
        const headers = oracleHeaders(c);
        const mine = signer.presign({ method: c.method, host: c.host, path, headers, body: c.body }, { date: c.date, expiresSeconds: expires });

        // aws4 needs X-Amz-Expires and X-Amz-Date in the query itself (else it uses the clock).
        const extra = `X-Amz-Expires=${expires}&X-Amz-Date=${amzDateOf(c.date)}`;
        const a = new aws4.RequestSigner(
          { method: c.method, host: c.host, path: path + (q === '' ? '?' : '&') + extra, service: c.service, region: c.region, headers: { Host: c.host, ...headers }, body: aws4Body(c), signQuery: true },
          { ...KEYS, sessionToken: c.token },
        );
        const canonical = a.canonicalString(); // before sign(), which adds X-Amz-Signature to the query
        a.sign();
        expect(mine.canonicalRequest).toBe(canonical);
        expect(mine.signature).toBe(/[?&]X-Amz-Signature=([0-9a-f]{64})/.exec(a.request.path ?? '')?.[1]);

        const s = await smithySigner(c).presign(
          { method: c.method, protocol: 'https:', hostname: c.host, path: wirePath(c), query: smithyQuery(c), headers: { host: c.host, ...headers }, body: c.body },
          { signingDate: new Date(c.date), expiresIn: expires },
        );
        expect(mine.signature).toBe(s.query?.['X-Amz-Signature']);
      }),
      { numRuns: RUNS, seed: SEED + 2 },
    );
  });

  it('sign: pure-TypeScript crypto gives the same signature as node:crypto', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        expect(ours(c, softCrypto()).authorization).toBe(ours(c).authorization);
      }),
      { numRuns: 100, seed: SEED + 3 },
    );
  });
});
