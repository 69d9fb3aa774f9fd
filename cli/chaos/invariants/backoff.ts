/**
 * Invariant 5: backoff and jitter. A wake that failed to talk to the cloud sleeps longer, step by
 * step: after `n` failures in a row `min(max, base × 2^n)` minus a random jitter of up to a
 * quarter (never below the base); the first good wake sleeps the normal period again (`base`:
 * the device's current `sleep`). After an outage that hit every device, the sleeps the devices
 * picked at the same step must differ: a fleet that backs off in step hammers the cloud in step.
 */
import { isPlainObject } from '../../../src/json.js';
import type { ChaosHistory, DeviceHistory, Violation, WakeObservation } from '../history.js';
import { violation, wakeAt } from './checker.js';
import type { InvariantChecker } from './checker.js';

/**
 * Codes that mean the wake could not do its exchange with the cloud (device.md, "Sleep and
 * faults"): such a wake must back off. Written from the spec, not read from the firmware.
 */
export const FAILED_WAKE_CODES: readonly string[] = ['ENET', 'EDNS', 'ECONN', 'ETLS', 'ETIMEOUT', 'EHTTP', 'ECLOUD', 'EAUTH', 'EBUDGET', 'EBADDOC'];

/** Smallest devices at one backoff step for the in-step check to mean something. */
const SPREAD_MIN_DEVICES = 3;

/** The normal sleep of a wake: the device's current `sleep` after it, else the default. */
export function baseSleep(w: WakeObservation, h: ChaosHistory): number {
  const cur = w.state !== undefined && isPlainObject(w.state.current) ? w.state.current['sleep'] : undefined;
  return typeof cur === 'number' && Number.isInteger(cur) && cur >= 5 && cur <= h.wake.sleepMaxSeconds ? cur : h.wake.sleepSeconds;
}

/** The allowed range of a backed-off sleep. */
export function backoffRange(base: number, attempt: number, max: number, jitter: number): { lo: number; hi: number } {
  let step = base;
  for (let n = 0; n < attempt && step < max; n++) step *= 2;
  const hi = Math.min(step, max);
  return { lo: Math.max(base, Math.round(hi * (1 - jitter))), hi };
}

function afterWake(h: ChaosHistory, d: DeviceHistory, i: number): Violation[] {
  const w = wakeAt(d, i);
  const s = w.summary;
  if (s === undefined || w.end.kind !== 'sleep') return [];
  const out: Violation[] = [];
  const v = (m: string): number => out.push(violation('backoff', d.device, w.wake, m));
  // A wake whose flash writes all failed leaves an older state record than the one it slept by.
  const staleState = w.fired.some((f) => f.kind === 'flash-full');
  const base = baseSleep(w, h);
  if (s.error !== undefined && FAILED_WAKE_CODES.indexOf(s.error) >= 0 && !s.sleep.backoff) v(`the wake failed (${s.error}) but did not back off`);
  if (!s.sleep.backoff) {
    if (s.sleep.attempt !== 0) v(`a wake that did not back off counts attempt ${s.sleep.attempt}`);
    if (!staleState && s.sleep.seconds !== base) v(`a good wake slept ${s.sleep.seconds} s, not the normal period of ${base} s`);
    return out;
  }
  const prev = i > 0 ? (d.wakes[i - 1] as WakeObservation) : undefined;
  // A damaged RTC record is reset, and the count of failures in a row with it.
  const rtcReset = w.before.some((f) => f.kind === 'bit-flip' && (f.detail ?? '').startsWith('RTC'));
  if (w.reason === 'timer' && !rtcReset && prev !== undefined && prev.end.kind === 'sleep' && prev.summary !== undefined) {
    const want = prev.summary.sleep.backoff ? prev.summary.sleep.attempt + 1 : 1;
    if (s.sleep.attempt !== want) v(`backoff attempt ${s.sleep.attempt}, expected ${want} after the previous wake`);
  } else if (s.sleep.attempt < 1) v(`a backed-off wake counts attempt ${s.sleep.attempt}`);
  if (!staleState) {
    const r = backoffRange(base, s.sleep.attempt, h.wake.sleepMaxSeconds, h.wake.backoffJitter);
    if (s.sleep.seconds < r.lo || s.sleep.seconds > r.hi) v(`backoff attempt ${s.sleep.attempt} from ${base} s slept ${s.sleep.seconds} s, expected ${r.lo}..${r.hi} s`);
  }
  return out;
}

function atEnd(h: ChaosHistory): Violation[] {
  const out: Violation[] = [];
  for (const e of h.episodes) {
    if (e.outage === undefined) continue;
    const byAttempt = new Map<number, { device: number; wake: number; seconds: number }[]>();
    for (const d of h.devices) {
      for (const w of d.wakes) {
        if (w.wake < e.outage.from || w.wake > e.outage.to || w.summary === undefined || !w.summary.sleep.backoff) continue;
        const a = w.summary.sleep.attempt;
        const list = byAttempt.get(a) ?? [];
        list.push({ device: d.device, wake: w.wake, seconds: w.summary.sleep.seconds });
        byAttempt.set(a, list);
      }
    }
    for (const [attempt, list] of byAttempt) {
      if (list.length < SPREAD_MIN_DEVICES) continue;
      const distinct = new Set(list.map((x) => x.seconds));
      if (distinct.size === 1) {
        out.push(violation('backoff', 0, e.outage.to, `episode ${e.index}: after the ${e.outage.kind} outage all ${list.length} devices slept exactly ${list[0]?.seconds} s at backoff attempt ${attempt}: no jitter, the fleet would wake in step`));
      }
    }
  }
  return out;
}

/** The spread of sleeps after an outage, for the report: distinct values per attempt. */
export function outageSpread(h: ChaosHistory): { episode: number; attempt: number; devices: number; distinct: number; min: number; max: number }[] {
  const out: { episode: number; attempt: number; devices: number; distinct: number; min: number; max: number }[] = [];
  for (const e of h.episodes) {
    if (e.outage === undefined) continue;
    const byAttempt = new Map<number, number[]>();
    for (const d of h.devices) {
      for (const w of d.wakes) {
        if (w.wake < e.outage.from || w.wake > e.outage.to || w.summary === undefined || !w.summary.sleep.backoff) continue;
        const list = byAttempt.get(w.summary.sleep.attempt) ?? [];
        list.push(w.summary.sleep.seconds);
        byAttempt.set(w.summary.sleep.attempt, list);
      }
    }
    for (const [attempt, list] of byAttempt) {
      out.push({ episode: e.index, attempt, devices: list.length, distinct: new Set(list).size, min: Math.min(...list), max: Math.max(...list) });
    }
  }
  return out;
}

/** Invariant 5: exponential backoff with jitter, back to normal after. */
export const backoffInvariant: InvariantChecker = { name: 'backoff', afterWake, atEnd };
