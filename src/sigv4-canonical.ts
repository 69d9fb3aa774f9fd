/**
 * Canonical request and string to sign of SigV4, from the parts of a request as they are on the
 * wire. The signer and the local cloud's verifier both build them here, so they cannot disagree.
 */
import { toHex } from './hex.js';
import { canonicalHeaders, normalizeSignedHeaderNames } from './sigv4-headers.js';
import type { HeaderList } from './sigv4-headers.js';
import type { SignerCrypto } from './sigv4-key.js';
import { canonicalQuery } from './sigv4-query.js';
import { canonicalUri } from './sigv4-uri.js';
import { utf8Encode } from './utf8.js';

/** The signing algorithm name. */
export const ALGORITHM = 'AWS4-HMAC-SHA256';
/** Payload hash placeholder for a body that is not signed. */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** SHA-256 of the empty body. */
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** What a canonical request is built from, everything as on the wire. */
export interface CanonicalRequestParts {
  readonly method: string;
  /** Path without the query, exactly as sent (already percent-encoded). */
  readonly rawPath: string;
  /** Query after `?`, exactly as sent (`''` when none). */
  readonly rawQuery: string;
  /** Every header of the request, in arrival order. */
  readonly headers: HeaderList;
  /** Names of the signed headers (any case or order; e.g. a `SignedHeaders` list). */
  readonly signedHeaders: readonly string[];
  /** Hex SHA-256 of the body, or {@link UNSIGNED_PAYLOAD}. */
  readonly payloadHash: string;
}

/**
 * The canonical request: method, canonical URI, canonical query, canonical headers, signed
 * header list, payload hash, one per line. `utf8` is the engine's encoder (`crypto.utf8`).
 */
export function canonicalRequest(parts: CanonicalRequestParts, utf8: (text: string) => Uint8Array = utf8Encode): string {
  return (
    parts.method +
    '\n' +
    canonicalUri(parts.rawPath, utf8) +
    '\n' +
    canonicalQuery(parts.rawQuery, utf8) +
    '\n' +
    canonicalHeaders(parts.headers, parts.signedHeaders) +
    '\n' +
    normalizeSignedHeaderNames(parts.signedHeaders).join(';') +
    '\n' +
    parts.payloadHash
  );
}

/** Hex SHA-256 of a text's UTF-8 bytes. */
export function sha256Hex(crypto: SignerCrypto, text: string): string {
  return toHex(crypto.sha256(crypto.utf8(text)));
}

/** Hex SHA-256 of a body (text through `crypto.utf8`, bytes as they are; none = empty). */
export function payloadHash(crypto: SignerCrypto, body: string | Uint8Array | undefined): string {
  if (body === undefined || body.length === 0) return EMPTY_BODY_SHA256;
  return toHex(crypto.sha256(typeof body === 'string' ? crypto.utf8(body) : body));
}

/** The string to sign: algorithm, `X-Amz-Date`, scope, hex SHA-256 of the canonical request. */
export function stringToSign(amzDate: string, scope: string, canonicalRequestHash: string): string {
  return ALGORITHM + '\n' + amzDate + '\n' + scope + '\n' + canonicalRequestHash;
}

/** The signature: hex HMAC of the string to sign under the signing key. */
export function computeSignature(crypto: SignerCrypto, key: Uint8Array, stringToSignText: string): string {
  return toHex(crypto.hmacSha256(key, crypto.utf8(stringToSignText)));
}
