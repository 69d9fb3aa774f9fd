import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Crypto } from '../../hal/hal.js';
import { SigV4Signer, SigningKeyCache, deriveSigningKey, signingKey } from '../../src/sigv4.js';
import { toHex } from '../../src/hex.js';
import { nodeCrypto } from '../support/sigv4-suite.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const DAY1 = Date.parse('2015-08-30T12:36:00Z');
const DAY1_LATER = Date.parse('2015-08-30T23:59:59Z');
const DAY2 = Date.parse('2015-08-31T00:00:01Z');

/** node:crypto with a counter on hmacSha256: four HMACs derive a key, one signs. */
function countingCrypto(): Crypto & { hmacs: number } {
  const base = nodeCrypto();
  const c = {
    ...base,
    hmacs: 0,
    hmacSha256(key: Uint8Array, data: Uint8Array) {
      c.hmacs++;
      return base.hmacSha256(key, data);
    },
  };
  return c;
}

function signer(crypto: Crypto, region = 'us-east-1', service = 'iotdata') {
  return new SigV4Signer({ crypto, region, service, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET } });
}

const req = { method: 'GET', host: 'example.amazonaws.com', path: '/things/t1/shadow' };

describe('sigv4: signing-key cache', () => {
  it('derives the AWS documentation example key (4 HMACs)', () => {
    // From AWS's SigV4 documentation (secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20120215, us-east-1, iam).
    expect(toHex(deriveSigningKey(nodeCrypto(), SECRET, '20120215', 'us-east-1', 'iam'))).toBe(
      'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d',
    );
  });

  it('a first sign costs 5 HMACs, a second sign the same day costs 1 (no key derivation)', () => {
    const c = countingCrypto();
    const s = signer(c);
    s.sign(req, { date: DAY1 });
    expect(c.hmacs).toBe(5);
    s.sign({ ...req, path: '/things/t2/shadow' }, { date: DAY1_LATER });
    expect(c.hmacs).toBe(6);
  });

  it('a new day derives again, and the cached key still gives the uncached signature', () => {
    const c = countingCrypto();
    const s = signer(c);
    s.sign(req, { date: DAY1 });
    const second = s.sign(req, { date: DAY2 });
    expect(c.hmacs).toBe(10);
    expect(second.signature).toBe(signer(nodeCrypto()).sign(req, { date: DAY2 }).signature);
  });

  it('another region or service derives again; the key is per (secret, day, region, service)', () => {
    const cache = new SigningKeyCache({ size: 4 });
    const c = countingCrypto();
    signingKey(c, SECRET, '20150830', 'us-east-1', 'iotdata', cache);
    signingKey(c, SECRET, '20150830', 'eu-west-1', 'iotdata', cache);
    signingKey(c, SECRET, '20150830', 'us-east-1', 'iotdevicegateway', cache);
    signingKey(c, 'another-secret', '20150830', 'us-east-1', 'iotdata', cache);
    expect(c.hmacs).toBe(16);
    signingKey(c, SECRET, '20150830', 'us-east-1', 'iotdata', cache);
    signingKey(c, SECRET, '20150830', 'eu-west-1', 'iotdata', cache);
    expect(c.hmacs).toBe(16);
    expect(cache.count()).toBe(4);
  });

  it('keeps at most `size` keys, evicting the least recently used', () => {
    const cache = new SigningKeyCache({ size: 2 });
    const c = countingCrypto();
    signingKey(c, SECRET, '20150830', 'r1', 's', cache); // derive (4)
    signingKey(c, SECRET, '20150830', 'r2', 's', cache); // derive (8)
    signingKey(c, SECRET, '20150830', 'r1', 's', cache); // hit: r1 most recent
    signingKey(c, SECRET, '20150830', 'r3', 's', cache); // derive (12), evicts r2
    expect(c.hmacs).toBe(12);
    signingKey(c, SECRET, '20150830', 'r1', 's', cache); // still cached
    expect(c.hmacs).toBe(12);
    signingKey(c, SECRET, '20150830', 'r2', 's', cache); // evicted: derive (16)
    expect(c.hmacs).toBe(16);
    expect(cache.count()).toBe(2);
    cache.clear();
    expect(cache.count()).toBe(0);
  });

  it('never shows the secret when serialized or inspected', () => {
    const cache = new SigningKeyCache();
    signingKey(nodeCrypto(), SECRET, '20150830', 'us-east-1', 'iotdata', cache);
    const s = signer(nodeCrypto());
    s.sign(req, { date: DAY1 });
    expect(JSON.stringify({ cache, s })).not.toContain(SECRET);
    expect(JSON.stringify(cache)).toBe('{"cachedKeys":1}');
    expect(inspect({ cache, s }, { depth: 10, showHidden: true })).not.toContain(SECRET);
    expect(JSON.parse(JSON.stringify(s))).toEqual({ region: 'us-east-1', service: 'iotdata', accessKeyId: 'AKIDEXAMPLE' });
  });
});
