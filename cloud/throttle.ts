/**
 * AWS IoT's per-thing request limits: a rate (token bucket, burst equal to the rate) and a cap on
 * requests in flight. Over either, the request gets 429 ThrottlingException.
 */
import type { ThrottleOptions } from './options.js';

interface Bucket {
  tokens: number;
  at: number;
  inFlight: number;
}

/** Per-thing throttle; `false` options turn it into a no-op. */
export class Throttle {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly o: ThrottleOptions | false) {}

  /** A request for `thing` started (call {@link finish} when its response is done). */
  start(thing: string): void {
    if (this.o === false) return;
    this.bucket(thing, 0).inFlight++;
  }

  /** A request for `thing` ended. */
  finish(thing: string): void {
    if (this.o === false) return;
    const b = this.buckets.get(thing);
    if (b !== undefined && b.inFlight > 0) b.inFlight--;
  }

  /** Take one token for a request of `thing` at `nowMs`; false when it must be throttled. */
  admit(thing: string, nowMs: number): boolean {
    if (this.o === false) return true;
    const b = this.bucket(thing, nowMs);
    const rate = this.o.perThingPerSecond;
    b.tokens = Math.min(rate, b.tokens + ((nowMs - b.at) / 1000) * rate);
    b.at = nowMs;
    if (b.inFlight > this.o.inFlightPerThing) return false;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private bucket(thing: string, nowMs: number): Bucket {
    let b = this.buckets.get(thing);
    if (b === undefined) {
      b = { tokens: this.o === false ? 0 : this.o.perThingPerSecond, at: nowMs, inFlight: 0 };
      this.buckets.set(thing, b);
      if (this.buckets.size > 100_000) this.sweep();
    }
    return b;
  }

  /** Drop idle buckets so a scan over many thing names cannot grow memory without bound. */
  private sweep(): void {
    for (const [k, b] of this.buckets) if (b.inFlight === 0) this.buckets.delete(k);
  }
}
