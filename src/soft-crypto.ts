/**
 * A complete HAL `Crypto` built from the pure-TypeScript parts, for engines without native
 * hashing (and as the reference the native ones are compared against).
 */
import type { Crypto } from '../hal/hal.js';
import { hmacSha256, sha256 } from './sha256.js';
import { utf8Encode } from './utf8.js';

/** A source of `n` random bytes. */
export type RandomSource = (n: number) => Uint8Array;

/**
 * A `Crypto` whose hashing is pure TypeScript. `random` supplies `Crypto.random` (default: bytes
 * from `Math.random`, which is not cryptographically strong; `Crypto.random` need not be).
 * `utf8` defaults to {@link utf8Encode}, right for UTF-16 engines; an engine whose strings are
 * already bytes (ESP32) passes its own.
 */
export function softCrypto(random?: RandomSource, utf8?: (text: string) => Uint8Array): Crypto {
  return {
    sha256: (data) => sha256(data),
    hmacSha256: (key, data) => hmacSha256(key, data),
    utf8: utf8 ?? utf8Encode,
    random: random ?? mathRandomBytes,
  };
}

function mathRandomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(Math.random() * 256) & 255;
  return out;
}
