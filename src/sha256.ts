/**
 * SHA-256 and HMAC-SHA256 in plain TypeScript, for engines without native hashing (Espruino has
 * SHA256 but no HMAC; some builds have neither). ES5-safe: 32-bit arithmetic with `|0` and
 * `>>>`, no `Math.imul`, no `**`, typed arrays only; input is hashed in place, never copied.
 */

/** The 64 round constants (FIPS 180-4, 4.2.2), as signed 32-bit values. */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** Initial hash value (FIPS 180-4, 5.3.3). */
const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/** Size of one SHA-256 block (and of the HMAC key block), in bytes. */
export const SHA256_BLOCK_BYTES = 64;

/** Process the 64-byte block of `p` starting at `off` into the state `h` (`w` is scratch). */
function compress(h: Int32Array, w: Int32Array, p: Uint8Array, off: number): void {
  for (let t = 0; t < 16; t++) {
    const j = off + 4 * t;
    w[t] = ((p[j] as number) << 24) | ((p[j + 1] as number) << 16) | ((p[j + 2] as number) << 8) | (p[j + 3] as number);
  }
  for (let t = 16; t < 64; t++) {
    const x = w[t - 15] as number;
    const y = w[t - 2] as number;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[t] = ((w[t - 16] as number) + s0 + (w[t - 7] as number) + s1) | 0;
  }
  let a = h[0] as number;
  let b = h[1] as number;
  let c = h[2] as number;
  let d = h[3] as number;
  let e = h[4] as number;
  let f = h[5] as number;
  let g = h[6] as number;
  let hh = h[7] as number;
  for (let t = 0; t < 64; t++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (hh + s1 + ch + (K[t] as number) + (w[t] as number)) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + s0 + maj) | 0;
  }
  h[0] = ((h[0] as number) + a) | 0;
  h[1] = ((h[1] as number) + b) | 0;
  h[2] = ((h[2] as number) + c) | 0;
  h[3] = ((h[3] as number) + d) | 0;
  h[4] = ((h[4] as number) + e) | 0;
  h[5] = ((h[5] as number) + f) | 0;
  h[6] = ((h[6] as number) + g) | 0;
  h[7] = ((h[7] as number) + hh) | 0;
}

/**
 * An incremental SHA-256: `update` any number of times, then `digest` (which also resets it, so
 * one instance can hash again). HMAC uses it to hash key pad and message without concatenating.
 */
export class Sha256 {
  private readonly h = new Int32Array(8);
  private readonly w = new Int32Array(64);
  private readonly block = new Uint8Array(SHA256_BLOCK_BYTES);
  private fill = 0;
  private total = 0;

  constructor() {
    this.reset();
  }

  /** Forget everything hashed so far. */
  reset(): this {
    for (let i = 0; i < 8; i++) this.h[i] = H0[i] as number;
    this.fill = 0;
    this.total = 0;
    return this;
  }

  /** Hash more bytes. */
  update(data: Uint8Array): this {
    const n = data.length;
    let i = 0;
    this.total += n;
    if (this.fill > 0) {
      while (i < n && this.fill < SHA256_BLOCK_BYTES) this.block[this.fill++] = data[i++] as number;
      if (this.fill < SHA256_BLOCK_BYTES) return this;
      compress(this.h, this.w, this.block, 0);
      this.fill = 0;
    }
    while (n - i >= SHA256_BLOCK_BYTES) {
      compress(this.h, this.w, data, i);
      i += SHA256_BLOCK_BYTES;
    }
    while (i < n) this.block[this.fill++] = data[i++] as number;
    return this;
  }

  /** The 32-byte digest of everything hashed since the last reset; resets the hasher. */
  digest(): Uint8Array {
    const block = this.block;
    // Message length in bits as a 64-bit big-endian number, split without 64-bit arithmetic.
    const bitsHi = Math.floor(this.total / 0x20000000) | 0;
    const bitsLo = this.total << 3;
    let fill = this.fill;
    block[fill++] = 0x80;
    if (fill > 56) {
      while (fill < SHA256_BLOCK_BYTES) block[fill++] = 0;
      compress(this.h, this.w, block, 0);
      fill = 0;
    }
    while (fill < 56) block[fill++] = 0;
    writeWord(block, 56, bitsHi);
    writeWord(block, 60, bitsLo);
    compress(this.h, this.w, block, 0);
    const out = new Uint8Array(32);
    for (let i = 0; i < 8; i++) writeWord(out, 4 * i, this.h[i] as number);
    this.reset();
    return out;
  }
}

function writeWord(out: Uint8Array, off: number, v: number): void {
  out[off] = (v >>> 24) & 255;
  out[off + 1] = (v >>> 16) & 255;
  out[off + 2] = (v >>> 8) & 255;
  out[off + 3] = v & 255;
}

/** SHA-256 of `data` (32 bytes). */
export function sha256(data: Uint8Array): Uint8Array {
  return new Sha256().update(data).digest();
}

/**
 * HMAC-SHA256 around any one-shot SHA-256 (e.g. Espruino's native `crypto.SHA256`, which has no
 * HMAC): about 20× faster there than {@link hmacSha256}, at the cost of copying `data` once.
 */
export function hmacSha256With(hash: (data: Uint8Array) => Uint8Array, key: Uint8Array, data: Uint8Array): Uint8Array {
  const k = key.length > SHA256_BLOCK_BYTES ? hash(key) : key;
  const inner = new Uint8Array(SHA256_BLOCK_BYTES + data.length);
  for (let i = 0; i < SHA256_BLOCK_BYTES; i++) inner[i] = (i < k.length ? (k[i] as number) : 0) ^ 0x36;
  inner.set(data, SHA256_BLOCK_BYTES);
  const innerHash = hash(inner);
  const outer = new Uint8Array(SHA256_BLOCK_BYTES + 32);
  for (let i = 0; i < SHA256_BLOCK_BYTES; i++) outer[i] = (inner[i] as number) ^ 0x36 ^ 0x5c;
  outer.set(innerHash, SHA256_BLOCK_BYTES);
  return hash(outer);
}

/** HMAC-SHA256 (RFC 2104) of `data` under `key` (32 bytes); keys longer than 64 bytes are hashed first. */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  const k = key.length > SHA256_BLOCK_BYTES ? sha256(key) : key;
  const pad = new Uint8Array(SHA256_BLOCK_BYTES);
  for (let i = 0; i < SHA256_BLOCK_BYTES; i++) pad[i] = (i < k.length ? (k[i] as number) : 0) ^ 0x36;
  const hasher = new Sha256();
  const inner = hasher.update(pad).update(data).digest();
  for (let i = 0; i < SHA256_BLOCK_BYTES; i++) pad[i] = (pad[i] as number) ^ 0x36 ^ 0x5c;
  return hasher.update(pad).update(inner).digest();
}
