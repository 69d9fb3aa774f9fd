/**
 * The SigV4 signing key, HMAC("AWS4"+secret, day) → region → service → "aws4_request", and a tiny
 * cache of it: deriving costs four HMACs, and a device signs with the same key all day.
 */
import type { Crypto } from '../hal/hal.js';

/** The hashing a signer needs: a subset of the HAL's `Crypto`. */
export type SignerCrypto = Pick<Crypto, 'sha256' | 'hmacSha256' | 'utf8'>;

/** The scope terminator of SigV4. */
export const SCOPE_TERMINATOR = 'aws4_request';

/** Credential scope: `YYYYMMDD/region/service/aws4_request`. */
export function credentialScope(day: string, region: string, service: string): string {
  return day + '/' + region + '/' + service + '/' + SCOPE_TERMINATOR;
}

/** Derive the signing key (uncached): four HMACs. */
export function deriveSigningKey(crypto: SignerCrypto, secret: string, day: string, region: string, service: string): Uint8Array {
  const kDate = crypto.hmacSha256(crypto.utf8('AWS4' + secret), crypto.utf8(day));
  const kRegion = crypto.hmacSha256(kDate, crypto.utf8(region));
  const kService = crypto.hmacSha256(kRegion, crypto.utf8(service));
  return crypto.hmacSha256(kService, crypto.utf8(SCOPE_TERMINATOR));
}

/** Options of a {@link SigningKeyCache}. */
export interface SigningKeyCacheOptions {
  /** How many keys to keep (1..4 is plenty: today and yesterday, or two service names). */
  readonly size?: number;
}

/** Defaults of {@link SigningKeyCacheOptions}. */
export const SIGNING_KEY_CACHE_DEFAULTS = { size: 2 } as const;

interface CacheEntry {
  readonly secret: string;
  readonly day: string;
  readonly region: string;
  readonly service: string;
  readonly key: Uint8Array;
}

/**
 * Signing keys per (secret, day, region, service), least recently used evicted. A plain array,
 * no `Map` (Espruino). It holds secrets, so it never shows them: `toJSON` gives a count only.
 */
export class SigningKeyCache {
  /** Behind a closure so a debugger's inspect of the cache does not show the secrets. */
  private readonly entries: () => CacheEntry[];
  private readonly size: number;

  constructor(options?: SigningKeyCacheOptions) {
    const size = options?.size ?? SIGNING_KEY_CACHE_DEFAULTS.size;
    this.size = size >= 1 ? Math.floor(size) : 1;
    const entries: CacheEntry[] = [];
    this.entries = () => entries;
  }

  /** The signing key, derived only when not cached. */
  get(crypto: SignerCrypto, secret: string, day: string, region: string, service: string): Uint8Array {
    const entries = this.entries();
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i] as CacheEntry;
      if (e.day === day && e.region === region && e.service === service && e.secret === secret) {
        if (i > 0) {
          entries.splice(i, 1);
          entries.unshift(e);
        }
        return e.key;
      }
    }
    const key = deriveSigningKey(crypto, secret, day, region, service);
    entries.unshift({ secret, day, region, service, key });
    // pop, not `entries.length = size`: Espruino 2v29 treats an array's length as read-only.
    while (entries.length > this.size) entries.pop();
    return key;
  }

  /** Number of keys held. */
  count(): number {
    return this.entries().length;
  }

  /** Drop every key (e.g. after the credentials changed). */
  clear(): void {
    const entries = this.entries();
    while (entries.length > 0) entries.pop();
  }

  /** What `JSON.stringify` shows: never the secrets or keys. */
  toJSON(): { readonly cachedKeys: number } {
    return { cachedKeys: this.entries().length };
  }
}

/** The cache {@link signingKey} uses when given none (4 keys: a verifier sees a few clients). */
const sharedCache = new SigningKeyCache({ size: 4 });

/** The signing key for (secret, day, region, service), from `cache` (default: a shared 4-key cache). */
export function signingKey(
  crypto: SignerCrypto,
  secret: string,
  day: string,
  region: string,
  service: string,
  cache: SigningKeyCache = sharedCache,
): Uint8Array {
  return cache.get(crypto, secret, day, region, service);
}
