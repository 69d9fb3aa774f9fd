/**
 * AWS Signature Version 4 for any service but S3 (iotdata, execute-api, dynamodb, …): signed
 * headers (`sign`) and presigned URLs (`presign`). Works on the request exactly as it goes on the
 * wire (a path is never re-encoded through URL APIs), hashes through an injected `Crypto`, and
 * caches the derived signing key. The lower-level pieces are re-exported for the local cloud's
 * verifier, which rebuilds a canonical request from what arrived.
 */
import type { Credentials } from './credentials.js';
import { DormouseError } from './errors.js';
import { formatAuthorization } from './sigv4-authz.js';
import {
  ALGORITHM,
  UNSIGNED_PAYLOAD,
  canonicalRequest,
  computeSignature,
  payloadHash,
  sha256Hex,
  stringToSign,
} from './sigv4-canonical.js';
import { amzDay, formatAmzDate } from './sigv4-date.js';
import { uriEncode } from './sigv4-encode.js';
import { canonicalHeaderValue, headerListFromRecord, normalizeSignedHeaderNames } from './sigv4-headers.js';
import type { HeaderEntry, HeaderRecord } from './sigv4-headers.js';
import { SigningKeyCache, credentialScope } from './sigv4-key.js';
import type { SignerCrypto } from './sigv4-key.js';
import { splitPathAndQuery } from './sigv4-query.js';

export type { Credentials } from './credentials.js';
export type { SignerCrypto } from './sigv4-key.js';
export type { HeaderEntry, HeaderList, HeaderRecord } from './sigv4-headers.js';
export type { CanonicalRequestParts } from './sigv4-canonical.js';
export type { ParsedAuthorization } from './sigv4-authz.js';
export { ALGORITHM, EMPTY_BODY_SHA256, UNSIGNED_PAYLOAD, canonicalRequest, computeSignature, payloadHash, sha256Hex, stringToSign } from './sigv4-canonical.js';
export { canonicalUri, normalizePath } from './sigv4-uri.js';
export { canonicalQuery, encodedQueryParams, splitPathAndQuery } from './sigv4-query.js';
export { canonicalHeaderValue, canonicalHeaders, headerListFromRecord, normalizeSignedHeaderNames } from './sigv4-headers.js';
export { SigningKeyCache, credentialScope, deriveSigningKey, signingKey } from './sigv4-key.js';
export { amzDay, formatAmzDate, parseAmzDate } from './sigv4-date.js';
export { formatAuthorization, parseAuthorization } from './sigv4-authz.js';
export { percentEncodeBytes, uriEncode } from './sigv4-encode.js';

/** A request to sign, as it will go on the wire. */
export interface SignableRequest {
  readonly method: string;
  /** Exactly the Host header value (`host` or `host:port`). */
  readonly host: string;
  /** Raw wire path, may include `?query`, already percent-encoded. */
  readonly path: string;
  /** Headers to send; a repeated header is an array. Host, X-Amz-Date and Authorization given here are replaced. */
  readonly headers?: HeaderRecord;
  /** Body: text (hashed as `crypto.utf8(text)`) or bytes. */
  readonly body?: string | Uint8Array;
}

/** What a signer is bound to. */
export interface SigV4SignerOptions {
  readonly crypto: SignerCrypto;
  readonly region: string;
  /** Signing name of the service (`iotdata`, `execute-api`, …). */
  readonly service: string;
  readonly credentials: Credentials;
  /** Signing-key cache to use (default: a 2-key cache of this signer's own). */
  readonly keyCache?: SigningKeyCache;
}

/**
 * Where a session token goes: `'signed'` (a signed `X-Amz-Security-Token`, what most services
 * want) or `'after'` (added after signing, unsigned: some services, e.g. AWS IoT's MQTT-over-
 * WebSocket presigned URLs, and the suite's `post-sts-header-after`).
 */
export type SessionTokenPlacement = 'signed' | 'after';

/** Options of {@link SigV4Signer.sign}. */
export interface SignOptions {
  /** Signing time, epoch ms. Required: the signer never reads a clock. */
  readonly date?: number;
  /** Headers to sign: `'all'` (every header given) or a list (Host, X-Amz-Date and a signed token always). */
  readonly signHeaders?: 'all' | readonly string[];
  readonly sessionTokenPlacement?: SessionTokenPlacement;
  /** Sign `UNSIGNED-PAYLOAD` instead of the body's hash (the service must accept it). */
  readonly unsignedPayload?: boolean;
}

/** Options of {@link SigV4Signer.presign}. */
export interface PresignOptions {
  /** Signing time, epoch ms. */
  readonly date: number;
  /** `X-Amz-Expires`: 1..604800 seconds. */
  readonly expiresSeconds: number;
  /** Headers to sign besides Host: `'all'` (default: every header given) or a list. */
  readonly signHeaders?: 'all' | readonly string[];
  readonly sessionTokenPlacement?: SessionTokenPlacement;
  readonly unsignedPayload?: boolean;
}

/** Defaults of {@link SignOptions} and {@link PresignOptions}, in one place. */
export const SIGN_DEFAULTS = {
  signHeaders: 'all',
  sessionTokenPlacement: 'signed',
  unsignedPayload: false,
  maxExpiresSeconds: 604800,
} as const;

/** A signed request: what to send, and the intermediate texts (for debugging and tests). */
export interface SignedRequest {
  /** Every header to send: the request's, plus Host, X-Amz-Date, X-Amz-Security-Token, Authorization. */
  readonly headers: Readonly<Record<string, string>>;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly signature: string;
  readonly authorization: string;
}

/** A presigned request: the path (with the signing parameters in its query) to send. */
export interface PresignedRequest {
  /** The wire path with `X-Amz-*` parameters and `X-Amz-Signature` appended to its query. */
  readonly path: string;
  readonly signature: string;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
}

/** Header names the signer writes itself; the same names given by the caller are replaced. */
const OWN_HEADERS = ['host', 'x-amz-date', 'authorization'];
const TOKEN_HEADER = 'x-amz-security-token';

function checkName(what: string, v: unknown): string {
  if (typeof v !== 'string' || v === '' || /[\s\/]/.test(v)) {
    throw new DormouseError('EINVALID', `sigv4: ${what}: expected a non-empty name without spaces or '/', got ${typeof v === 'string' ? JSON.stringify(v) : typeof v}`);
  }
  return v;
}

/** Which of the request's own header names to sign. */
function chooseSigned(given: readonly HeaderEntry[], signHeaders: 'all' | readonly string[]): string[] {
  const names: string[] = [];
  const wanted = signHeaders === 'all' ? undefined : normalizeSignedHeaderNames(signHeaders);
  for (let i = 0; i < given.length; i++) {
    const n = (given[i] as HeaderEntry)[0].toLowerCase();
    if (wanted === undefined || wanted.indexOf(n) >= 0) names.push(n);
  }
  return names;
}

/**
 * One line per header name, as a `Record` can hold. A single value goes out as given; a
 * repeated header as its canonical values joined with `,`, so the receiver's canonical form of
 * that one line (`a,b`) is exactly what was signed (a raw `a, b ` would canonicalize as `a, b`).
 */
function headersToSend(all: readonly HeaderEntry[]): Record<string, string> {
  const values: Record<string, string[]> = {};
  const names: string[] = [];
  for (let i = 0; i < all.length; i++) {
    const h = all[i] as HeaderEntry;
    if (Object.prototype.hasOwnProperty.call(values, h[0])) (values[h[0]] as string[]).push(h[1]);
    else {
      values[h[0]] = [h[1]];
      names.push(h[0]);
    }
  }
  const out: Record<string, string> = {};
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    const v = values[name] as string[];
    out[name] = v.length === 1 ? (v[0] as string) : v.map(canonicalHeaderValue).join(',');
  }
  return out;
}

/**
 * Signs requests for one region, service and set of credentials. Synchronous: hashing is
 * synchronous on every engine. Never shows the secret (`toJSON` gives region/service/key id).
 */
export class SigV4Signer {
  private readonly crypto: SignerCrypto;
  private readonly region: string;
  private readonly service: string;
  /** Behind a closure so neither `JSON.stringify` nor a debugger's inspect shows the secret. */
  private readonly credentials: () => Credentials;
  private readonly keys: SigningKeyCache;

  constructor(options: SigV4SignerOptions) {
    this.crypto = options.crypto;
    this.region = checkName('region', options.region);
    this.service = checkName('service', options.service);
    const c = options.credentials;
    if (!c || typeof c.accessKeyId !== 'string' || c.accessKeyId === '' || typeof c.secretAccessKey !== 'string' || c.secretAccessKey === '') {
      throw new DormouseError('EINVALID', 'sigv4: credentials: expected a non-empty accessKeyId and secretAccessKey');
    }
    this.credentials = () => c;
    this.keys = options.keyCache ?? new SigningKeyCache();
  }

  /** Sign with an `Authorization` header. */
  sign(req: SignableRequest, options: SignOptions): SignedRequest {
    const amzDate = formatAmzDate(options.date as number);
    const placement = options.sessionTokenPlacement ?? SIGN_DEFAULTS.sessionTokenPlacement;
    const token = this.credentials().sessionToken;
    const hasToken = token !== undefined && token !== '';
    const given = this.requestHeaders(req, hasToken);

    const all: HeaderEntry[] = given.slice();
    all.push(['Host', req.host]);
    all.push(['X-Amz-Date', amzDate]);
    const signed = chooseSigned(given, options.signHeaders ?? SIGN_DEFAULTS.signHeaders);
    signed.push('host', 'x-amz-date');
    if (hasToken) {
      all.push(['X-Amz-Security-Token', token as string]);
      if (placement === 'signed') signed.push(TOKEN_HEADER);
    }

    const parts = splitPathAndQuery(req.path);
    const day = amzDay(amzDate);
    const scope = credentialScope(day, this.region, this.service);
    const creq = canonicalRequest(
      {
        method: req.method,
        rawPath: parts.path,
        rawQuery: parts.query,
        headers: all,
        signedHeaders: signed,
        payloadHash: (options.unsignedPayload ?? SIGN_DEFAULTS.unsignedPayload) ? UNSIGNED_PAYLOAD : payloadHash(this.crypto, req.body),
      },
      this.crypto.utf8,
    );
    const sts = stringToSign(amzDate, scope, sha256Hex(this.crypto, creq));
    const signature = computeSignature(this.crypto, this.key(day), sts);
    const authorization = formatAuthorization(this.credentials().accessKeyId, scope, normalizeSignedHeaderNames(signed).join(';'), signature);

    const headers = headersToSend(all);
    headers['Authorization'] = authorization;
    return { headers, canonicalRequest: creq, stringToSign: sts, signature, authorization };
  }

  /** Sign with query parameters (a presigned URL); the signed headers are Host plus those given. */
  presign(req: SignableRequest, options: PresignOptions): PresignedRequest {
    const expires = options.expiresSeconds;
    if (typeof expires !== 'number' || !isFinite(expires) || Math.floor(expires) !== expires || expires < 1 || expires > SIGN_DEFAULTS.maxExpiresSeconds) {
      throw new DormouseError(
        'EINVALID',
        `sigv4: X-Amz-Expires: expected a whole number of seconds from 1 to ${SIGN_DEFAULTS.maxExpiresSeconds}, got ${typeof expires === 'number' ? String(expires) : typeof expires}`,
      );
    }
    const amzDate = formatAmzDate(options.date);
    const placement = options.sessionTokenPlacement ?? SIGN_DEFAULTS.sessionTokenPlacement;
    const token = this.credentials().sessionToken;
    const hasToken = token !== undefined && token !== '';
    const given = this.requestHeaders(req, false);
    const all: HeaderEntry[] = given.slice();
    all.push(['Host', req.host]);
    const signed = normalizeSignedHeaderNames(chooseSigned(given, options.signHeaders ?? SIGN_DEFAULTS.signHeaders).concat(['host']));

    const day = amzDay(amzDate);
    const scope = credentialScope(day, this.region, this.service);
    const utf8 = this.crypto.utf8;
    const enc = (text: string): string => uriEncode(text, utf8);
    let added =
      'X-Amz-Algorithm=' + ALGORITHM +
      '&X-Amz-Credential=' + enc(this.credentials().accessKeyId + '/' + scope) +
      '&X-Amz-Date=' + amzDate +
      '&X-Amz-Expires=' + String(expires);
    if (hasToken && placement === 'signed') added += '&X-Amz-Security-Token=' + enc(token as string);
    added += '&X-Amz-SignedHeaders=' + enc(signed.join(';'));

    const parts = splitPathAndQuery(req.path);
    const query = parts.query === '' ? added : parts.query + '&' + added;
    const creq = canonicalRequest(
      {
        method: req.method,
        rawPath: parts.path,
        rawQuery: query,
        headers: all,
        signedHeaders: signed,
        payloadHash: (options.unsignedPayload ?? SIGN_DEFAULTS.unsignedPayload) ? UNSIGNED_PAYLOAD : payloadHash(this.crypto, req.body),
      },
      utf8,
    );
    const sts = stringToSign(amzDate, scope, sha256Hex(this.crypto, creq));
    const signature = computeSignature(this.crypto, this.key(day), sts);
    let path = parts.path + '?' + query + '&X-Amz-Signature=' + signature;
    if (hasToken && placement === 'after') path += '&X-Amz-Security-Token=' + enc(token as string);
    return { path, signature, canonicalRequest: creq, stringToSign: sts };
  }

  /** What `JSON.stringify` shows: never the secret or the token. */
  toJSON(): { readonly region: string; readonly service: string; readonly accessKeyId: string } {
    return { region: this.region, service: this.service, accessKeyId: this.credentials().accessKeyId };
  }

  private key(day: string): Uint8Array {
    return this.keys.get(this.crypto, this.credentials().secretAccessKey, day, this.region, this.service);
  }

  /** The caller's headers minus those the signer writes (and the token header when it adds one). */
  private requestHeaders(req: SignableRequest, dropToken: boolean): HeaderEntry[] {
    const list = headerListFromRecord(req.headers);
    const out: HeaderEntry[] = [];
    for (let i = 0; i < list.length; i++) {
      const h = list[i] as HeaderEntry;
      const n = h[0].toLowerCase();
      if (OWN_HEADERS.indexOf(n) >= 0 || (dropToken && n === TOKEN_HEADER)) continue;
      out.push(h);
    }
    return out;
  }
}
