/**
 * Device-side entry of the `espruino` benchmark's signing figures (bench/espruino-sign.ts builds
 * it with the project's rollup settings and runs it on the real interpreter): time per SigV4
 * `sign()` of a typical shadow update with the ESP32 HAL's crypto (native SHA-256, HMAC around
 * it) and with the pure-TypeScript fallback, the signing key cached or derived. It lives under
 * test/ because it is device code (ES5, Espruino globals), which the Node build does not compile.
 */
import type { Crypto } from '../../hal/hal.js';
import { createEsp32Crypto } from '../../hal/esp32/crypto.js';
import { SigV4Signer, SigningKeyCache } from '../../src/sigv4.js';
import { softCrypto } from '../../src/soft-crypto.js';
import { EXAMPLE_KEY, SIGN_DAYS, SIGN_REQUEST } from '../../bench/sign-request.js';

/** Which hashing the signer uses: the ESP32 HAL's (native SHA-256) or the pure-TypeScript one. */
export type SignCrypto = 'native' | 'pure';

/**
 * Milliseconds per `sign()` over `n` signs (`now` in ms). `derive`: every sign derives the
 * signing key (4 extra HMACs), as the first sign of every wake does on a board (a deep sleep
 * empties the key cache); otherwise the key is cached.
 */
export function msPerSign(kind: SignCrypto, derive: boolean, n: number, now: () => number): number {
  const crypto: Crypto = kind === 'native' ? createEsp32Crypto() : softCrypto();
  const signer = new SigV4Signer({ crypto, region: 'us-east-1', service: 'iotdata', credentials: EXAMPLE_KEY, keyCache: new SigningKeyCache({ size: 1 }) });
  signer.sign(SIGN_REQUEST, { date: SIGN_DAYS[0] });
  const start = now();
  for (let i = 0; i < n; i++) signer.sign(SIGN_REQUEST, { date: derive && i % 2 === 0 ? SIGN_DAYS[1] : SIGN_DAYS[0] });
  return (now() - start) / n;
}
