/**
 * A double of Espruino's `crypto` module (libs/crypto/jswrap_crypto.c): `SHA256` (and SHA1/512)
 * take a string (8-bit chars), a Uint8Array or an ArrayBuffer and return an ArrayBuffer. There is
 * no HMAC.
 */
import { createHash } from 'node:crypto';
import { flattenBytes } from './bytes.js';
import type { Realm } from './realm.js';

/** `require('crypto')`. */
export function createCryptoModule(realm: Realm, counters: { sha256: number }): Record<string, unknown> {
  const hash = (alg: string) => (data: unknown): ArrayBuffer => {
    if (typeof data !== 'string' && !(data !== null && typeof data === 'object' && 'byteLength' in (data as object))) {
      throw new realm.Error(`espruino double: crypto.${alg} expects a string, Uint8Array or ArrayBuffer`);
    }
    if (alg === 'SHA256') counters.sha256++;
    const digest = createHash(alg.toLowerCase()).update(Buffer.from(flattenBytes([data]))).digest();
    const out = new realm.ArrayBuffer(digest.length);
    new realm.Uint8Array(out).set(digest);
    return out;
  };
  return { SHA1: hash('SHA1'), SHA256: hash('SHA256'), SHA512: hash('SHA512') };
}
