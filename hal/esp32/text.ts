/**
 * Text and bytes on Espruino. Sockets, Storage and `atob` deal in 8-bit strings (one char per
 * byte); the HAL's callers deal in text. Two engines to serve:
 * - ESP32 builds hold strings as 8-bit chars: a char is a code point 0..255 (Latin-1).
 * - The Linux build is Unicode-aware: a string may be held as UTF-8 (`E.isUTF8`), and then
 *   `charCodeAt` gives code points beyond 255.
 * Text is encoded to UTF-8 by code point on both, so every engine sends and signs the same bytes
 * for the same text; bytes from the wire are decoded from UTF-8 (on an 8-bit engine, code points
 * above 255 cannot be held and become `?`).
 */

/** Any char outside printable ASCII, tab, CR, LF: the slow path is needed. */
const NON_ASCII = /[^\t\n\r -~]/;

/** True when `text` is plain ASCII (fast check with a native RegExp, no per-char JS loop). */
export function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}

/** True on a Unicode-aware build (Linux): strings may hold code points above 255. */
export function unicodeEngine(): boolean {
  return typeof E.isUTF8 === 'function' && E.isUTF8('\u20ac');
}

/** The bytes of an 8-bit string. */
export function bytesOf(byteString: string): Uint8Array {
  return E.toUint8Array(byteString);
}

/** An 8-bit string holding `bytes`. */
export function byteString(bytes: Uint8Array): string {
  return E.toString(bytes);
}

function encodeSlow(text: string, out: Uint8Array): number {
  let j = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out[j++] = c;
    else if (c < 0x800) {
      out[j++] = 0xc0 | (c >> 6);
      out[j++] = 0x80 | (c & 63);
    } else if (c < 0x10000) {
      out[j++] = 0xe0 | (c >> 12);
      out[j++] = 0x80 | ((c >> 6) & 63);
      out[j++] = 0x80 | (c & 63);
    } else {
      out[j++] = 0xf0 | (c >> 18);
      out[j++] = 0x80 | ((c >> 12) & 63);
      out[j++] = 0x80 | ((c >> 6) & 63);
      out[j++] = 0x80 | (c & 63);
    }
  }
  return j;
}

/** The UTF-8 bytes of `text`. */
export function utf8Bytes(text: string): Uint8Array {
  if (isAscii(text)) return E.toUint8Array(text);
  // A UTF-8 string of the Linux build: E.toUint8Array gives its UTF-8 bytes natively.
  if (unicodeEngine() && E.isUTF8 !== undefined && E.isUTF8(text)) return E.toUint8Array(text);
  const out = new Uint8Array(text.length * 4);
  const n = encodeSlow(text, out);
  return out.subarray(0, n);
}

/** The UTF-8 bytes of `text`, as an 8-bit string (what goes to a socket or to flash). */
export function utf8ByteString(text: string): string {
  if (isAscii(text)) return text;
  return E.toString(utf8Bytes(text));
}

function decodeSlow(bytes: string): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes.charCodeAt(i);
    let cp = -1;
    let n = 0;
    if (b >= 0xc2 && b <= 0xdf) { cp = b & 31; n = 1; } else if (b >= 0xe0 && b <= 0xef) { cp = b & 15; n = 2; } else if (b >= 0xf0 && b <= 0xf4) { cp = b & 7; n = 3; }
    if (cp >= 0) {
      let ok = i + n < bytes.length;
      for (let k = 1; ok && k <= n; k++) {
        const c = bytes.charCodeAt(i + k);
        if ((c & 0xc0) !== 0x80) ok = false;
        else cp = (cp << 6) | (c & 63);
      }
      if (ok) {
        out += cp <= 0xff ? String.fromCharCode(cp) : '?';
        i += n + 1;
        continue;
      }
    }
    // ASCII, or a byte that does not start a valid sequence: keep it as the Latin-1 char.
    out += bytes.charAt(i);
    i++;
  }
  return out;
}

/** Text from UTF-8 bytes held in an 8-bit string (a socket's data, a flash file). */
export function decodeUtf8(bytes: string): string {
  if (isAscii(bytes)) return bytes;
  if (unicodeEngine() && E.asUTF8 !== undefined) return E.asUTF8(bytes);
  return decodeSlow(bytes);
}
