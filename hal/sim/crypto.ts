/**
 * The simulator's (and the CLI's) {@link Crypto}: native hashing from `node:crypto`, UTF-8 via
 * `Buffer` (Node strings are UTF-16), randomness from `randomBytes`.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Crypto } from '../hal.js';

function bytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** A {@link Crypto} backed by Node. */
export function nodeCrypto(): Crypto {
  return {
    sha256: (data) => bytes(createHash('sha256').update(data).digest()),
    hmacSha256: (key, data) => bytes(createHmac('sha256', key).update(data).digest()),
    utf8: (text) => bytes(Buffer.from(text, 'utf8')),
    random: (n) => bytes(randomBytes(n)),
  };
}
