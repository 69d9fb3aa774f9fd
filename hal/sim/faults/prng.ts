/**
 * The fault injector's own random numbers: a small seeded generator (mulberry32, 32-bit state),
 * so that a fault plan, a chaos run and every decision in it replay exactly from one seed.
 * Independent streams are derived by mixing labels into the seed ({@link mixSeed}): the faults
 * of device 3's wake 57 do not depend on how many numbers device 2 drew.
 *
 * Not for anything secret.
 */

/** A 32-bit FNV-1a hash of `text`, continuing from `h`. */
function fnv1a(text: string, h: number): number {
  let x = h >>> 0;
  for (let i = 0; i < text.length; i++) {
    x ^= text.charCodeAt(i) & 0xff;
    x = Math.imul(x, 0x01000193) >>> 0;
    const hi = text.charCodeAt(i) >>> 8;
    if (hi !== 0) {
      x ^= hi;
      x = Math.imul(x, 0x01000193) >>> 0;
    }
  }
  return x;
}

/** A final avalanche (murmur3's fmix32): nearby inputs give unrelated outputs. */
function fmix(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** A 32-bit seed derived from `seed` and `labels` (order matters): one independent stream per label path. */
export function mixSeed(seed: number, ...labels: readonly (string | number)[]): number {
  let h = fnv1a(String(seed >>> 0), 0x811c9dc5);
  for (const l of labels) h = fnv1a(`/${String(l)}`, h);
  return fmix(h);
}

/** A seeded pseudo-random generator (mulberry32). */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform integer in [lo, hi] (both included). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return p >= 1 ? true : p <= 0 ? false : this.next() < p;
  }

  /** One of `items`, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick: expected at least one item, got none');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }

  /** An independent generator for `labels`, derived from this one's next number. */
  fork(...labels: readonly (string | number)[]): Prng {
    return new Prng(mixSeed(Math.floor(this.next() * 4294967296), ...labels));
  }
}
