/**
 * UTF-8 for engines whose strings are UTF-16 (Node, Espruino's Linux build): what SigV4 hashes
 * and percent-encodes are bytes. An ESP32 build holds strings as bytes already and must not use
 * these (its HAL's `crypto.utf8` is the identity). Espruino-safe: no TextEncoder, no codePointAt.
 */

/** U+FFFD, built at run time (no escapes the Espruino parser could mis-read). */
const REPLACEMENT = String.fromCharCode(0xfffd);

/** UTF-8 bytes of a UTF-16 string; a lone surrogate becomes U+FFFD (EF BF BD), as in WHATWG. */
export function utf8Encode(text: string): Uint8Array {
  // First pass counts bytes so the output is allocated once (matters on small heaps).
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      n += 4;
      i++;
    } else n += 3; // BMP, or a lone surrogate replaced by U+FFFD (3 bytes)
  }
  const out = new Uint8Array(n);
  if (n === text.length) {
    // All ASCII (the common case: canonical requests, JSON bodies): a plain copy, much cheaper
    // on an interpreter than the branches below.
    for (let i = 0; i < n; i++) out[i] = text.charCodeAt(i);
    return out;
  }
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      out[o++] = c;
    } else if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 63);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && isLowSurrogate(next)) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        out[o++] = 0xf0 | (cp >> 18);
        out[o++] = 0x80 | ((cp >> 12) & 63);
        out[o++] = 0x80 | ((cp >> 6) & 63);
        out[o++] = 0x80 | (cp & 63);
        i++;
      } else {
        out[o++] = 0xef;
        out[o++] = 0xbf;
        out[o++] = 0xbd;
      }
    } else {
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 63);
      out[o++] = 0x80 | (c & 63);
    }
  }
  return out;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * A UTF-16 string from UTF-8 bytes. Malformed input never throws: each maximal invalid
 * subsequence becomes one U+FFFD, exactly as WHATWG's TextDecoder (and Node's Buffer) do.
 */
export function utf8Decode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    let need: number;
    let cp: number;
    let lower = 0x80;
    let upper = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      cp = b & 0x0f;
      if (b === 0xe0) lower = 0xa0; // no overlong forms
      if (b === 0xed) upper = 0x9f; // no surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      cp = b & 0x07;
      if (b === 0xf0) lower = 0x90; // no overlong forms
      if (b === 0xf4) upper = 0x8f; // nothing above U+10FFFF
    } else {
      out += REPLACEMENT;
      i++;
      continue;
    }
    let j = i + 1;
    let ok = true;
    for (let k = 0; k < need; k++) {
      const c = j < n ? (bytes[j] as number) : -1;
      if (c < lower || c > upper) {
        ok = false;
        break;
      }
      lower = 0x80;
      upper = 0xbf;
      cp = (cp << 6) | (c & 63);
      j++;
    }
    if (!ok) {
      // The maximal subpart (lead byte plus the valid continuation bytes seen) is one U+FFFD.
      out += REPLACEMENT;
      i = j;
      continue;
    }
    if (cp >= 0x10000) {
      const v = cp - 0x10000;
      out += String.fromCharCode(0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
    } else {
      out += String.fromCharCode(cp);
    }
    i = j;
  }
  return out;
}
