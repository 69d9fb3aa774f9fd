/**
 * Hexadecimal text for bytes: SigV4 signatures and payload hashes are lowercase hex. Engine-neutral
 * and Espruino-safe (no lookup tables kept in memory, no `Buffer`).
 */
import { DormouseError } from './errors.js';

const DIGITS = '0123456789abcdef';

/** Lowercase hex of `bytes` (two characters per byte), as SigV4 wants it. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    out += DIGITS.charAt(b >> 4) + DIGITS.charAt(b & 15);
  }
  return out;
}

/** Value of one hex digit (either case), or -1 when `code` is not a hex digit. */
export function hexDigitValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/**
 * Bytes of a hex string (either case). Throws `EINVALID` on an odd length or a non-hex character,
 * so a corrupt stored key or signature never turns into silently wrong bytes.
 */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) {
    throw new DormouseError('EINVALID', `hex: expected an even number of hex digits, got ${hex.length}`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigitValue(hex.charCodeAt(2 * i));
    const lo = hexDigitValue(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) {
      throw new DormouseError('EINVALID', `hex: expected only 0-9 a-f A-F, got a non-hex character at offset ${hi < 0 ? 2 * i : 2 * i + 1}`);
    }
    out[i] = (hi << 4) | lo;
  }
  return out;
}
