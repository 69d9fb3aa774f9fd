/**
 * SigV4 verification as AWS does it: the canonical request is rebuilt from the request exactly as
 * it arrived (raw target, raw header list, body bytes) and from whatever `SignedHeaders` lists,
 * with the signer's own building blocks (src/sigv4.ts), so signer and verifier cannot disagree.
 * Failures carry AWS's 403 texts.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Crypto } from '../hal/hal.js';
import {
  ALGORITHM,
  SigningKeyCache,
  canonicalRequest,
  computeSignature,
  formatAmzDate,
  parseAmzDate,
  parseAuthorization,
  payloadHash,
  sha256Hex,
  splitPathAndQuery,
  stringToSign,
} from '../src/sigv4.js';
import type { HeaderEntry, ParsedAuthorization } from '../src/sigv4.js';
import { ERROR_MESSAGES, authError } from './aws-errors.js';
import type { CloudError } from './aws-errors.js';
import type { KeyRecord, KeyStore } from './keystore.js';
import type { RegionCheck } from './options.js';

/** Signing names the data plane answers to: what the SDKs send, and what the developer guide says. */
export const ACCEPTED_SERVICES: readonly string[] = ['iotdata', 'iotdevicegateway'];

/** AWS's 403 texts. */
export const AUTH_MESSAGES = {
  mismatch:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  unknownKey: 'The security token included in the request is invalid.',
  wrongService: (service: string) => `Credential should be scoped to correct service: '${service}'. `,
  wrongRegion: 'Credential should be scoped to a valid region. ',
  hostNotSigned: "'Host' must be a 'SignedHeader' in the AWS Authorization.",
  /** Not an AWS text (AWS's front end refuses such requests before SigV4): this project's wording. */
  noHost: "The request has no 'Host' header; a signature must cover the host it was sent to.",
  noDate: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
  badDate: (got: string) => `Date must be in ISO-8601 'basic format'. Got '${got}'. See http://en.wikipedia.org/wiki/ISO_8601`,
  expired: (signed: string, limit: string, now: string, window: string) => `Signature expired: ${signed} is now earlier than ${limit} (${now} - ${window}.)`,
  notYetCurrent: (signed: string, limit: string, now: string, window: string) =>
    `Signature not yet current: ${signed} is still later than ${limit} (${now} + ${window}.)`,
  scopeDate: (scopeDay: string, day: string, amzDate: string) =>
    `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDay}' != '${day}', from '${amzDate}'.`,
} as const;

/** A request as the verifier sees it: everything as it came off the wire. */
export interface WireRequest {
  readonly method: string;
  /** The raw request target (`req.url`): path and query, never re-encoded. */
  readonly target: string;
  /** The raw header list in arrival order (`req.rawHeaders` as pairs). */
  readonly headers: readonly HeaderEntry[];
  readonly body: Uint8Array;
}

/** Options of a {@link SigV4Verifier}. */
export interface VerifierOptions {
  readonly keys: KeyStore;
  readonly crypto: Pick<Crypto, 'sha256' | 'hmacSha256' | 'utf8'>;
  /** The cloud's region (checked only with `regionCheck: 'strict'`). */
  readonly region: string;
  readonly regionCheck: RegionCheck;
  /** Allowed clock skew, ms (AWS: 5 minutes). */
  readonly clockSkewMs: number;
}

/** The outcome: the key that signed, or the 403 to send. */
export type Verification =
  | { readonly ok: true; readonly key: KeyRecord; readonly signedAt: number }
  | { readonly ok: false; readonly error: CloudError };

function header(headers: readonly HeaderEntry[], name: string): string | undefined {
  for (const h of headers) if (h[0].toLowerCase() === name) return h[1];
  return undefined;
}

function describeWindow(ms: number): string {
  return ms % 60000 === 0 ? `${ms / 60000} min` : `${Math.round(ms / 1000)} sec`;
}

/** What a signed request claims: from the Authorization header or from presigned query parameters. */
interface Claim {
  readonly auth: ParsedAuthorization;
  readonly amzDate: string;
  /** `X-Amz-Expires` of a presigned request, seconds. */
  readonly expires?: number;
  readonly token?: string;
}

function failure(message: string): Verification {
  return { ok: false, error: authError(message) };
}

/** Missing parts of a header that is not a well-formed SigV4 Authorization, in AWS's words. */
function incompleteAuthorization(value: string, hasDate: boolean): string {
  const missing: string[] = [];
  if (value.indexOf('Credential=') < 0) missing.push("Authorization header requires 'Credential' parameter.");
  if (value.indexOf('Signature=') < 0) missing.push("Authorization header requires 'Signature' parameter.");
  if (value.indexOf('SignedHeaders=') < 0) missing.push("Authorization header requires 'SignedHeaders' parameter.");
  if (!hasDate) missing.push(AUTH_MESSAGES.noDate);
  return `${missing.join(' ')} Authorization=${value.split(' ')[0] ?? ''}`;
}

/** Verifies SigV4 signatures (header or presigned) against a {@link KeyStore}. */
export class SigV4Verifier {
  private readonly cache = new SigningKeyCache({ size: 8 });

  constructor(private readonly o: VerifierOptions) {}

  /** Verify `req` at server time `nowMs`. */
  verify(req: WireRequest, nowMs: number): Verification {
    const { path, query } = splitPathAndQuery(req.target);
    const params = presignedParams(query);
    const authorization = header(req.headers, 'authorization');
    let claim: Claim | Verification;
    if (authorization !== undefined) claim = this.headerClaim(req, authorization);
    else if (params !== undefined) claim = this.presignedClaim(params);
    else return failure(ERROR_MESSAGES.missingToken);
    if ('ok' in claim) return claim;
    const { auth, amzDate } = claim;

    const signedAt = parseAmzDate(amzDate);
    if (signedAt === undefined) return failure(AUTH_MESSAGES.badDate(amzDate));
    if (auth.day !== amzDate.substring(0, 8)) return failure(AUTH_MESSAGES.scopeDate(auth.day, amzDate.substring(0, 8), amzDate));
    if (ACCEPTED_SERVICES.indexOf(auth.service) < 0) return failure(AUTH_MESSAGES.wrongService(ACCEPTED_SERVICES[0] as string));
    if (this.o.regionCheck === 'strict' && auth.region !== this.o.region) return failure(AUTH_MESSAGES.wrongRegion);
    if (auth.signedHeaders.indexOf('host') < 0) return failure(AUTH_MESSAGES.hostNotSigned);
    // HTTP/1.0 lets a client omit Host; a signature over an empty host would then fit any server.
    const host = header(req.headers, 'host');
    if (host === undefined || host.trim() === '') return failure(AUTH_MESSAGES.noHost);

    const skew = this.o.clockSkewMs;
    const window = describeWindow(skew);
    if (claim.expires !== undefined && nowMs > signedAt + claim.expires * 1000) {
      return failure(AUTH_MESSAGES.expired(amzDate, formatAmzDate(nowMs - claim.expires * 1000), formatAmzDate(nowMs), describeWindow(claim.expires * 1000)));
    }
    if (claim.expires === undefined && signedAt < nowMs - skew) {
      return failure(AUTH_MESSAGES.expired(amzDate, formatAmzDate(nowMs - skew), formatAmzDate(nowMs), window));
    }
    if (signedAt > nowMs + skew) {
      return failure(AUTH_MESSAGES.notYetCurrent(amzDate, formatAmzDate(nowMs + skew), formatAmzDate(nowMs), window));
    }

    const key = this.o.keys.find(auth.accessKeyId);
    if (key === undefined) return failure(AUTH_MESSAGES.unknownKey);
    if (key.sessionToken !== undefined && claim.token !== key.sessionToken) return failure(AUTH_MESSAGES.unknownKey);

    const crypto = this.o.crypto;
    const creq = canonicalRequest(
      { method: req.method, rawPath: path, rawQuery: query, headers: req.headers, signedHeaders: auth.signedHeaders, payloadHash: payloadHash(crypto, req.body) },
      crypto.utf8,
    );
    const sts = stringToSign(amzDate, auth.scope, sha256Hex(crypto, creq));
    const signingKey = this.cache.get(crypto, key.secretAccessKey, auth.day, auth.region, auth.service);
    const expected = computeSignature(crypto, signingKey, sts);
    if (!sameText(expected, auth.signature.toLowerCase())) {
      return failure(
        `${AUTH_MESSAGES.mismatch}\n\nThe Canonical String for this request should have been\n'${creq}'\n\nThe String-to-Sign should have been\n'${sts}'\n`,
      );
    }
    return { ok: true, key, signedAt };
  }

  private headerClaim(req: WireRequest, authorization: string): Claim | Verification {
    const amzDateHeader = header(req.headers, 'x-amz-date');
    const dateHeader = header(req.headers, 'date');
    if (authorization.indexOf(`${ALGORITHM} `) !== 0 || authorization.indexOf('Credential=') < 0 || authorization.indexOf('Signature=') < 0 || authorization.indexOf('SignedHeaders=') < 0) {
      return failure(incompleteAuthorization(authorization, amzDateHeader !== undefined || dateHeader !== undefined));
    }
    let auth: ParsedAuthorization;
    try {
      auth = parseAuthorization(authorization);
    } catch (e) {
      return failure(e instanceof Error ? e.message : String(e));
    }
    let amzDate: string;
    if (amzDateHeader !== undefined) amzDate = amzDateHeader.trim();
    else if (dateHeader !== undefined) {
      const t = Date.parse(dateHeader);
      if (!Number.isFinite(t)) return failure(AUTH_MESSAGES.badDate(dateHeader));
      amzDate = formatAmzDate(t);
    } else return failure(AUTH_MESSAGES.noDate);
    const token = header(req.headers, 'x-amz-security-token');
    return token === undefined ? { auth, amzDate } : { auth, amzDate, token };
  }

  private presignedClaim(p: Record<string, string>): Claim | Verification {
    const missing = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Signature'].filter((n) => p[n] === undefined);
    if (missing.length > 0) return failure(missing.map((n) => `AWS query-string parameters must include '${n}'.`).join(' ') + ' Re-examine the query-string parameters.');
    if (p['X-Amz-Algorithm'] !== ALGORITHM) return failure(`X-Amz-Algorithm only supports '${ALGORITHM}'`);
    let auth: ParsedAuthorization;
    try {
      auth = parseAuthorization(`${ALGORITHM} Credential=${p['X-Amz-Credential']}, SignedHeaders=${p['X-Amz-SignedHeaders']}, Signature=${p['X-Amz-Signature']}`);
    } catch (e) {
      return failure(e instanceof Error ? e.message : String(e));
    }
    let expires: number | undefined;
    if (p['X-Amz-Expires'] !== undefined) {
      expires = Number(p['X-Amz-Expires']);
      if (!/^\d+$/.test(p['X-Amz-Expires']) || expires < 1 || expires > 604800) {
        return failure('X-Amz-Expires must be a number of seconds from 1 to 604800');
      }
    }
    const claim: { auth: ParsedAuthorization; amzDate: string; expires?: number; token?: string } = { auth, amzDate: p['X-Amz-Date'] as string };
    if (expires !== undefined) claim.expires = expires;
    if (p['X-Amz-Security-Token'] !== undefined) claim.token = p['X-Amz-Security-Token'];
    return claim;
  }
}

/** The `X-Amz-*` parameters of a presigned query, decoded, or undefined when it is not presigned. */
function presignedParams(query: string): Record<string, string> | undefined {
  if (query.indexOf('X-Amz-') < 0) return undefined;
  const out: Record<string, string> = {};
  let any = false;
  for (const piece of query.split('&')) {
    const eq = piece.indexOf('=');
    const name = eq < 0 ? piece : piece.slice(0, eq);
    if (!name.startsWith('X-Amz-')) continue;
    let value = eq < 0 ? '' : piece.slice(eq + 1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep it raw; the signature check will fail on it
    }
    if (out[name] === undefined) out[name] = value;
    if (name === 'X-Amz-Signature' || name === 'X-Amz-Credential') any = true;
  }
  return any ? out : undefined;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
