import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/hex.js';
import { Sha256, hmacSha256, hmacSha256With, sha256 } from '../../src/sha256.js';
import { softCrypto } from '../../src/soft-crypto.js';

const nodeSha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const nodeHmac = (k: Uint8Array, d: Uint8Array): string => createHmac('sha256', k).update(d).digest('hex');

describe('sha256: pure TypeScript against node:crypto', () => {
  it('known answers (FIPS 180-2 examples)', () => {
    const ascii = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
    expect(toHex(sha256(ascii('')))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(sha256(ascii('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(sha256(ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('hashes random inputs of 0..300 bytes like node:crypto (every padding case, multi-block)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        expect(toHex(sha256(data))).toBe(nodeSha(data));
      }),
      { numRuns: 400, seed: 1 },
    );
  });

  it('every length 0..200 hashes like node:crypto (55/56/63/64/119/120 boundaries included)', () => {
    for (let n = 0; n <= 200; n++) {
      const data = new Uint8Array(n).map((_, i) => (i * 31 + n) & 255);
      expect(toHex(sha256(data)), `length ${n}`).toBe(nodeSha(data));
    }
  });

  it('incremental updates in random chunks equal one-shot hashing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(80), { maxLength: 10 }), (data, cuts) => {
        const h = new Sha256();
        let at = 0;
        for (const c of cuts) {
          const end = Math.min(data.length, at + c);
          h.update(data.subarray(at, end));
          at = end;
        }
        h.update(data.subarray(at));
        expect(toHex(h.digest())).toBe(nodeSha(data));
        // digest() resets: the same instance hashes again from scratch.
        expect(toHex(h.update(data).digest())).toBe(nodeSha(data));
      }),
      { numRuns: 200, seed: 2 },
    );
  });

  it('HMAC-SHA256 equals node:crypto, keys of 0..150 bytes (longer than a block included)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 150 }), fc.uint8Array({ maxLength: 300 }), (key, data) => {
        expect(toHex(hmacSha256(key, data))).toBe(nodeHmac(key, data));
      }),
      { numRuns: 400, seed: 3 },
    );
  });

  it('HMAC around a one-shot hash (native SHA-256 on Espruino) equals node:crypto', () => {
    const oneShot = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 150 }), fc.uint8Array({ maxLength: 300 }), (key, data) => {
        expect(toHex(hmacSha256With(oneShot, key, data))).toBe(nodeHmac(key, data));
        expect(toHex(hmacSha256With(sha256, key, data))).toBe(nodeHmac(key, data));
      }),
      { numRuns: 200, seed: 8 },
    );
  });

  it('HMAC with keys of exactly 63, 64 and 65 bytes', () => {
    for (const n of [63, 64, 65]) {
      const key = new Uint8Array(n).fill(0xaa);
      const data = new Uint8Array(Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'));
      expect(toHex(hmacSha256(key, data))).toBe(nodeHmac(key, data));
    }
  });

  it('RFC 4231 test case 2', () => {
    const out = hmacSha256(new Uint8Array(Buffer.from('Jefe')), new Uint8Array(Buffer.from('what do ya want for nothing?')));
    expect(toHex(out)).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('softCrypto wires the pure parts into a full Crypto', () => {
    const c = softCrypto((n) => new Uint8Array(n).fill(7));
    const data = new Uint8Array([1, 2, 3]);
    expect(toHex(c.sha256(data))).toBe(nodeSha(data));
    expect(toHex(c.hmacSha256(data, data))).toBe(nodeHmac(data, data));
    expect(Array.from(c.random(3))).toEqual([7, 7, 7]);
    expect(Array.from(c.utf8('é'))).toEqual([0xc3, 0xa9]);
    expect(softCrypto().random(16).length).toBe(16);
  });
});
