/**
 * Benchmark of the SigV4 signer: time per `sign()` of a typical shadow update, with Node's
 * native hashing and with the pure-TypeScript fallback (what an engine without hashing runs),
 * with the signing key cached (every sign after the first of the day) and derived (the first).
 */
import { performance } from 'node:perf_hooks';
import { nodeCrypto } from '../hal/sim/crypto.js';
import type { Crypto } from '../hal/hal.js';
import { SigV4Signer, SigningKeyCache } from '../src/sigv4.js';
import { softCrypto } from '../src/soft-crypto.js';
import { EXAMPLE_KEY, SIGN_DAYS, SIGN_REQUEST } from './sign-request.js';

/** One measured figure. */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

const [DAY1, DAY2] = SIGN_DAYS;
const REQUEST = SIGN_REQUEST;

/**
 * Microseconds per call of `fn`: the best of several rounds of at least `minMs` each (the
 * minimum is the figure least disturbed by other processes on a shared machine).
 */
function timeIt(fn: (i: number) => void, minMs = 40, rounds = 9): number {
  for (let i = 0; i < 50; i++) fn(i); // warm up the JIT
  const perCall: number[] = [];
  let n = 0;
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    let count = 0;
    while (performance.now() - start < minMs) {
      for (let k = 0; k < 20; k++) fn(n++);
      count += 20;
    }
    perCall.push(((performance.now() - start) * 1000) / count);
  }
  return Math.round(Math.min(...perCall) * 10) / 10;
}

function signer(crypto: Crypto, keyCache?: SigningKeyCache): SigV4Signer {
  return new SigV4Signer({
    crypto,
    region: 'us-east-1',
    service: 'iotdata',
    credentials: EXAMPLE_KEY,
    ...(keyCache ? { keyCache } : {}),
  });
}

/** Time per sign(): node:crypto vs the pure-TypeScript fallback, key cached and key derived. */
export async function benchSign(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const [label, crypto] of [
    ['node:crypto', nodeCrypto()],
    ['pure TS', softCrypto()],
  ] as const) {
    const cached = signer(crypto);
    out.push({ name: `sigv4 sign, ${label}, key cached`, value: timeIt(() => void cached.sign(REQUEST, { date: DAY1 })), unit: 'µs' });
    // A one-key cache and alternating days: every sign derives the key (4 extra HMACs).
    const derived = signer(crypto, new SigningKeyCache({ size: 1 }));
    out.push({ name: `sigv4 sign, ${label}, key derived`, value: timeIt((i) => void derived.sign(REQUEST, { date: i % 2 ? DAY1 : DAY2 })), unit: 'µs' });
  }
  const soft = softCrypto();
  const key = new Uint8Array(32).fill(1);
  const data = soft.utf8(REQUEST.body);
  out.push({ name: 'hmac-sha256 (pure TS), 130-byte message', value: timeIt(() => void soft.hmacSha256(key, data)), unit: 'µs' });
  return out;
}

// `node dist/node/bench/sign.js` prints the figures.
if (import.meta.url === `file://${process.argv[1]}`) {
  void benchSign().then((r) => {
    for (const x of r) process.stdout.write(`${x.name}: ${x.value} ${x.unit}\n`);
  });
}
