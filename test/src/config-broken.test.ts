/**
 * The device config loader fed broken files (fast-check): random bytes, every field with a value
 * of every wrong type, truncated JSON, byte-order marks, huge files, broken PEM files and
 * credential files broken around a secret. It loads a config or throws a DormouseError
 * `ECONFIG` naming the file; the message never holds the secret, nor a private key.
 */
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadDeviceConfig } from '../../src/config.js';
import type { DeviceConfig } from '../../src/config.js';
import { DormouseError } from '../../src/errors.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** A fresh secret for this run. */
const SECRET = Array.from(randomBytes(40), (x) => B64.charAt(x % 64)).join('');
const KEY_BODY = Array.from(randomBytes(48), (x) => B64.charAt(x % 64)).join('');
const KEY_PEM = `-----BEGIN PRIVATE KEY-----\n${KEY_BODY}\n-----END PRIVATE KEY-----\n`;
const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const GOOD_CFG = { region: 'us-east-1', endpoint: 'https://127.0.0.1:8443', thing: 't-1', shadow: 'cfg', ca: 'ca.pem', ntp: 'time.example:123', heartbeat: 600, led: 'D2', auth: 'sigv4' };
const GOOD_CREDS = JSON.stringify({ akey: 'AKIDEXAMPLE', skey: SECRET });
const FILES = ['aws_iot_cfg.txt', 'aws_credentials.txt', 'ca.pem', 'cert.pem', 'key.pem'];

type Outcome = { ok: true; config: DeviceConfig } | { ok: false; error: unknown };

function attempt(files: Record<string, string>): Outcome {
  try {
    return { ok: true, config: loadDeviceConfig((n) => (Object.prototype.hasOwnProperty.call(files, n) ? files[n] : undefined)) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Loaded, or ECONFIG naming a file, without secrets. */
function expectLoadedOrConfigError(o: Outcome): void {
  if (o.ok) return;
  expect(o.error).toBeInstanceOf(DormouseError);
  const e = o.error as DormouseError;
  expect(e.code).toBe('ECONFIG');
  expect(FILES.some((f) => e.message.indexOf(f) >= 0), e.message).toBe(true);
  expect(e.message.length).toBeLessThan(600);
  for (const s of [SECRET, SECRET.substring(0, 16), SECRET.substring(24), KEY_BODY.substring(0, 16), encodeURIComponent(SECRET)]) expect(e.message).not.toContain(s);
}

const wrongValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, true, 0, -1, 1e308, '', ' ', 'NaN', '../../etc/passwd', 'x'.repeat(100_000), [], {}, ['us-east-1'], { region: 'us-east-1' }),
);

describe('config: broken files', () => {
  it('config-broken: random bytes in any file: loaded or ECONFIG naming the file, no secret', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FILES), fc.uint8Array({ maxLength: 400 }), fc.constantFrom('latin1', 'utf8') as fc.Arbitrary<BufferEncoding>, (file, bytes, enc) => {
        const files: Record<string, string> = { 'aws_iot_cfg.txt': JSON.stringify(GOOD_CFG), 'aws_credentials.txt': GOOD_CREDS, 'ca.pem': CA_PEM };
        files[file] = Buffer.from(bytes).toString(enc);
        expectLoadedOrConfigError(attempt(files));
      }),
      { numRuns: 300 },
    );
  });

  it('config-broken: any field of aws_iot_cfg.txt with a value of a wrong type: loaded or ECONFIG', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(GOOD_CFG), 'endpt_prefix', '__proto__', 'constructor'), wrongValue, (field, value) => {
        const cfg: Record<string, unknown> = { ...GOOD_CFG };
        Object.defineProperty(cfg, field, { value, enumerable: true, writable: true, configurable: true });
        const o = attempt({ 'aws_iot_cfg.txt': JSON.stringify(cfg), 'aws_credentials.txt': GOOD_CREDS, 'ca.pem': CA_PEM });
        expectLoadedOrConfigError(o);
        if (!o.ok && field !== '__proto__' && field !== 'constructor') expect((o.error as Error).message).toContain('aws_iot_cfg.txt');
        expect(({} as Record<string, unknown>).region).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('config-broken: credential files broken around the secret never show it', () => {
    const creds = fc.oneof(
      fc.nat(GOOD_CREDS.length).map((n) => GOOD_CREDS.substring(0, n)),
      fc.constantFrom(
        `{"akey":"AKIDEXAMPLE","skey":"${SECRET}",}`,
        `{'akey':'AKIDEXAMPLE','skey':'${SECRET}'}`,
        `{"akey":"AKIDEXAMPLE","skey":"${SECRET}"} trailing`,
        `{"akey":"${SECRET}","skey":"AKIDEXAMPLE"}`,
        `{"akey":"AKID EXAMPLE","skey":"${SECRET}"}`,
        `{"akey":"AKIDEXAMPLE","skey":["${SECRET}"]}`,
        `{"akey":"AKIDEXAMPLE","skey":{"value":"${SECRET}"}}`,
        `{"akey":"AKIDEXAMPLE","skey":"${SECRET}","token":5}`,
        `["AKIDEXAMPLE","${SECRET}"]`,
        `"${SECRET}"`,
        `${SECRET}`,
        `akey=AKIDEXAMPLE\nskey=${SECRET}\n`,
        `\uFEFF{"akey":"AKIDEXAMPLE","skey":"${SECRET}"}`,
        `\u00ef\u00bb\u00bf{"akey":"AKIDEXAMPLE","skey":"${SECRET}"}`,
        `{"akey":"AKIDEXAMPLE","skey":"${SECRET}${'x'.repeat(2_000_000)}`,
      ),
      fc.tuple(fc.nat(GOOD_CREDS.length), fc.uint8Array({ minLength: 1, maxLength: 5 })).map(([at, junk]) => GOOD_CREDS.substring(0, at) + Buffer.from(junk).toString('latin1') + GOOD_CREDS.substring(at)),
    );
    fc.assert(
      fc.property(creds, (text) => {
        const o = attempt({ 'aws_iot_cfg.txt': JSON.stringify(GOOD_CFG), 'aws_credentials.txt': text, 'ca.pem': CA_PEM });
        expectLoadedOrConfigError(o);
        if (!o.ok) expect((o.error as Error).message).toContain('aws_credentials.txt');
      }),
      { numRuns: 300 },
    );
  });

  it('config-broken: truncated JSON, byte-order marks and huge files', () => {
    const text = JSON.stringify(GOOD_CFG);
    const variants = fc.oneof(
      fc.nat(text.length).map((n) => text.substring(0, n)),
      fc.constantFrom(`\uFEFF${text}`, `\u00ef\u00bb\u00bf${text}`, `\uFFFE${text}`, `${text}\u0000`, `\u0000${text}`, text.replace('{', '{\n\n'), `${text}${text}`),
      fc.constantFrom(
        `{"region":"us-east-1","endpoint":"https://127.0.0.1:8443","pad":"${'p'.repeat(3_000_000)}"}`,
        ' '.repeat(3_000_000),
        `${'['.repeat(100_000)}`,
        `{${Array.from({ length: 50_000 }, (_, i) => `"k${i}":${i}`).join(',')},"region":"us-east-1","endpt_prefix":"abc"}`,
      ),
    );
    fc.assert(
      fc.property(variants, (cfgText) => {
        const t = Date.now();
        expectLoadedOrConfigError(attempt({ 'aws_iot_cfg.txt': cfgText, 'aws_credentials.txt': GOOD_CREDS, 'ca.pem': CA_PEM }));
        expect(Date.now() - t).toBeLessThan(2000);
      }),
      { numRuns: 120 },
    );
  });

  // A field value nested far deeper than any stack: the error message's rendering of it
  // (describeValue) stops after a few characters instead of walking it all.
  it('config-broken: a field nested 50,000 levels deep is ECONFIG too', () => {
    expectLoadedOrConfigError(attempt({ 'aws_iot_cfg.txt': `{"region":${'['.repeat(50_000)}${']'.repeat(50_000)}}`, 'aws_credentials.txt': GOOD_CREDS }));
  });

  it('config-broken: X.509 with broken or swapped PEM files never shows the private key', () => {
    const cfg = JSON.stringify({ ...GOOD_CFG, auth: 'x509' });
    const pems = fc.constantFrom(
      ['not a pem', KEY_PEM],
      [KEY_PEM, CA_PEM],
      [CA_PEM, CA_PEM],
      [CA_PEM, KEY_BODY],
      [CA_PEM, KEY_PEM.replace('-----END PRIVATE KEY-----', '')],
      [CA_PEM, `\uFEFF${KEY_PEM}`],
      ['', ''],
    );
    fc.assert(
      fc.property(pems, ([cert, key]) => {
        const o = attempt({ 'aws_iot_cfg.txt': cfg, 'ca.pem': CA_PEM, 'cert.pem': cert, 'key.pem': key });
        expectLoadedOrConfigError(o);
      }),
      { numRuns: 20 },
    );
    const ok = attempt({ 'aws_iot_cfg.txt': cfg, 'ca.pem': CA_PEM, 'cert.pem': CA_PEM, 'key.pem': KEY_PEM });
    expect(ok.ok && ok.config.endpoint.tls?.key).toBe(KEY_PEM);
  });
});
