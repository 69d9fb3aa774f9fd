/**
 * Hashing on Espruino: native SHA-256 (`require('crypto').SHA256`, ArrayBuffer out, 10 µs) with
 * HMAC built around it in JS (Espruino has no HMAC; measured 0.69 ms, against 14.8 ms with a
 * pure-JS SHA-256). Text goes through {@link utf8Bytes}, so the core signs the same bytes here as
 * on Node.
 */
import type { Crypto } from '../hal.js';
import { cryptoModule } from './espruino.js';
import { utf8Bytes } from './text.js';

const BLOCK = 64;

function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(cryptoModule().SHA256(data));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** HMAC-SHA256 (RFC 2104) over the native hash. */
function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  const k = key.length > BLOCK ? sha256(key) : key;
  const ipad = new Uint8Array(BLOCK);
  const opad = new Uint8Array(BLOCK);
  for (let i = 0; i < BLOCK; i++) {
    const b = i < k.length ? (k[i] as number) : 0;
    ipad[i] = b ^ 0x36;
    opad[i] = b ^ 0x5c;
  }
  return sha256(concat(opad, sha256(concat(ipad, data))));
}

function random(n: number): Uint8Array {
  const out = new Uint8Array(n);
  const hw = typeof E.hwRand === 'function';
  for (let i = 0; i < n; i += 4) {
    const r = hw ? (E.hwRand as () => number)() : Math.floor(Math.random() * 4294967296);
    for (let k = 0; k < 4 && i + k < n; k++) out[i + k] = (r >> (8 * k)) & 0xff;
  }
  return out;
}

/** The HAL's {@link Crypto} on Espruino. */
export function createEsp32Crypto(): Crypto {
  return { sha256, hmacSha256, utf8: utf8Bytes, random };
}
