/**
 * The `Authorization` header of SigV4: written by the signer, taken apart by the local cloud's
 * verifier (which then rebuilds the canonical request from the `SignedHeaders` it lists).
 */
import { DormouseError } from './errors.js';
import { ALGORITHM } from './sigv4-canonical.js';
import { SCOPE_TERMINATOR } from './sigv4-key.js';

/** `AWS4-HMAC-SHA256 Credential=akid/scope, SignedHeaders=a;b, Signature=hex`. */
export function formatAuthorization(accessKeyId: string, scope: string, signedHeaders: string, signature: string): string {
  return ALGORITHM + ' Credential=' + accessKeyId + '/' + scope + ', SignedHeaders=' + signedHeaders + ', Signature=' + signature;
}

/** The parts of an `Authorization` header. */
export interface ParsedAuthorization {
  readonly accessKeyId: string;
  /** Scope day, `YYYYMMDD`. */
  readonly day: string;
  readonly region: string;
  readonly service: string;
  /** `day/region/service/aws4_request`. */
  readonly scope: string;
  /** Signed header names as listed (lowercase, `;`-separated on the wire). */
  readonly signedHeaders: readonly string[];
  /** Hex signature as sent. */
  readonly signature: string;
}

function fail(expected: string, got: string): never {
  throw new DormouseError('EAUTH', `Authorization header: expected ${expected}, got ${got}`);
}

function shorten(text: string): string {
  return text.length > 60 ? JSON.stringify(text.substring(0, 57) + '...') : JSON.stringify(text);
}

/**
 * Take an `Authorization` header apart. Throws `EAUTH` saying what was expected when it is not
 * a well-formed SigV4 header (other algorithm, a missing or repeated part, a bad scope).
 */
export function parseAuthorization(header: string): ParsedAuthorization {
  if (typeof header !== 'string' || header.indexOf(ALGORITHM + ' ') !== 0) {
    fail(`"${ALGORITHM} Credential=..., SignedHeaders=..., Signature=..."`, typeof header === 'string' ? shorten(header) : typeof header);
  }
  const parts = header.substring(ALGORITHM.length + 1).split(',');
  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  for (let i = 0; i < parts.length; i++) {
    const part = (parts[i] as string).trim();
    // split/join rather than substring: Espruino miscounts substring offsets past non-ASCII text.
    const kv = part.split('=');
    const key = kv.shift() as string;
    const value = kv.join('=');
    if (key === 'Credential' || key === 'SignedHeaders' || key === 'Signature') {
      const seen = key === 'Credential' ? credential : key === 'SignedHeaders' ? signedHeaders : signature;
      if (seen !== undefined) fail(`one ${key} part`, `two`);
      if (value === '') fail(`a value for ${key}`, 'an empty one');
      if (key === 'Credential') credential = value;
      else if (key === 'SignedHeaders') signedHeaders = value;
      else signature = value;
    } else {
      fail('only Credential, SignedHeaders and Signature parts', shorten(part));
    }
  }
  if (credential === undefined) fail('a Credential part', 'none');
  if (signedHeaders === undefined) fail('a SignedHeaders part', 'none');
  if (signature === undefined) fail('a Signature part', 'none');
  const c = (credential as string).split('/');
  if (c.length !== 5 || c[4] !== SCOPE_TERMINATOR || !/^\d\d\d\d\d\d\d\d$/.test(c[1] as string) || c[0] === '' || c[2] === '' || c[3] === '') {
    fail(`Credential=ACCESSKEY/YYYYMMDD/region/service/${SCOPE_TERMINATOR}`, shorten(credential as string));
  }
  return {
    accessKeyId: c[0] as string,
    day: c[1] as string,
    region: c[2] as string,
    service: c[3] as string,
    scope: c.slice(1).join('/'),
    signedHeaders: (signedHeaders as string).split(';'),
    signature: signature as string,
  };
}
