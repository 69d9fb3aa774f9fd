/**
 * The canonical query string of SigV4: parameters decoded, re-encoded the SigV4 way, sorted by
 * name then value (byte order), `name=` for a bare name, `X-Amz-Signature` left out.
 */
import { reencodeComponent } from './sigv4-encode.js';
import { utf8Encode } from './utf8.js';

/** A wire path split at its first `?`: the path, and the raw query after it (`''` when none). */
export interface PathAndQuery {
  readonly path: string;
  readonly query: string;
}

/**
 * Split `text` at the first `sep`: `[before, after]`, or `[text, undefined]` without one. Done with
 * `split`/`join`, not `substring`: Espruino's Unicode build miscounts `substring`/`slice`
 * offsets after a non-ASCII character (measured on 2v29), and wire paths may hold raw UTF-8.
 */
function splitOnce(text: string, sep: string): [string, string | undefined] {
  if (text.indexOf(sep) < 0) return [text, undefined];
  const parts = text.split(sep);
  const first = parts.shift() as string;
  return [first, parts.join(sep)];
}

/** Split a wire path (`/a/b?x=1`) into path and raw query, without decoding anything. */
export function splitPathAndQuery(pathWithQuery: string): PathAndQuery {
  const parts = splitOnce(pathWithQuery, '?');
  return { path: parts[0], query: parts[1] ?? '' };
}

/** One query parameter, SigV4-encoded. */
export interface EncodedParam {
  readonly name: string;
  readonly value: string;
}

/**
 * Parse a raw query (`b=2&a&a=1`) into SigV4-encoded parameters in wire order. Empty pieces
 * (`a=1&&b=2`, a trailing `&`) are skipped; `+` is a literal plus, not a space (AWS clients
 * send spaces as `%20`). Malformed escapes are kept literally (see `percentDecodeBytes`).
 */
export function encodedQueryParams(rawQuery: string, utf8: (text: string) => Uint8Array = utf8Encode): EncodedParam[] {
  const out: EncodedParam[] = [];
  if (rawQuery === '') return out;
  const pieces = rawQuery.split('&');
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i] as string;
    if (piece === '') continue;
    const nv = splitOnce(piece, '=');
    const name = nv[0];
    const value = nv[1] ?? '';
    out.push({ name: reencodeComponent(name, utf8), value: reencodeComponent(value, utf8) });
  }
  return out;
}

/** Byte-order comparison of two SigV4-encoded (ASCII) strings. */
function compareAscii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The canonical query string of a raw query. `X-Amz-Signature` (any case) is left out, so a
 * presigned URL verifies with the same function that built it.
 */
export function canonicalQuery(rawQuery: string, utf8: (text: string) => Uint8Array = utf8Encode): string {
  const params = encodedQueryParams(rawQuery, utf8).filter((p) => p.name.toLowerCase() !== 'x-amz-signature');
  // Ties are identical name=value pairs, so the order among them cannot show: stability is not needed.
  params.sort((a, b) => compareAscii(a.name, b.name) || compareAscii(a.value, b.value));
  let out = '';
  for (let i = 0; i < params.length; i++) {
    const p = params[i] as EncodedParam;
    out += (i > 0 ? '&' : '') + p.name + '=' + p.value;
  }
  return out;
}
