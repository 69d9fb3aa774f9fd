/**
 * SigV4's percent-encoding, done on UTF-8 bytes: every byte but `A-Z a-z 0-9 - . _ ~` becomes
 * `%XX` (uppercase hex). Not `encodeURIComponent`: that leaves `!'()*` alone and is garbled for
 * non-ASCII text on Espruino.
 */
import { hexDigitValue } from './hex.js';

const UPPER_HEX = '0123456789ABCDEF';
const SLASH = 47;
const PERCENT = 37;

/** True for the bytes SigV4 never encodes: `A-Z a-z 0-9 - . _ ~`. */
export function isUnreservedByte(b: number): boolean {
  return (
    (b >= 65 && b <= 90) || // A-Z
    (b >= 97 && b <= 122) || // a-z
    (b >= 48 && b <= 57) || // 0-9
    b === 45 || // -
    b === 46 || // .
    b === 95 || // _
    b === 126 // ~
  );
}

/**
 * Percent-encode `bytes`: unreserved bytes stay, every other byte becomes `%XX`.
 * With `keepSlash`, `/` stays too (path separators of a canonical URI).
 */
export function percentEncodeBytes(bytes: Uint8Array, keepSlash: boolean): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (isUnreservedByte(b) || (keepSlash && b === SLASH)) out += String.fromCharCode(b);
    else out += '%' + UPPER_HEX.charAt(b >> 4) + UPPER_HEX.charAt(b & 15);
  }
  return out;
}

/**
 * Undo percent-encoding on bytes: each `%XX` (either case) becomes the byte XX. A `%` not
 * followed by two hex digits is kept as a literal `%` (it will be encoded as `%25`), so junk on
 * the wire canonicalizes deterministically instead of throwing. `+` stays `+`.
 */
export function percentDecodeBytes(bytes: Uint8Array): Uint8Array {
  let hasPercent = false;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === PERCENT) {
      hasPercent = true;
      break;
    }
  }
  if (!hasPercent) return bytes;
  const out = new Uint8Array(bytes.length);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === PERCENT && i + 2 < bytes.length) {
      const hi = hexDigitValue(bytes[i + 1] as number);
      const lo = hexDigitValue(bytes[i + 2] as number);
      if (hi >= 0 && lo >= 0) {
        out[o++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[o++] = b;
  }
  return out.subarray(0, o);
}

/** SigV4 encoding of a text: its UTF-8 bytes (through `utf8`), percent-encoded, `/` included. */
export function uriEncode(text: string, utf8: (text: string) => Uint8Array): string {
  return percentEncodeBytes(utf8(text), false);
}

/** Decode then re-encode a wire component (query name or value) the SigV4 way. */
export function reencodeComponent(raw: string, utf8: (text: string) => Uint8Array): string {
  return percentEncodeBytes(percentDecodeBytes(utf8(raw)), false);
}
