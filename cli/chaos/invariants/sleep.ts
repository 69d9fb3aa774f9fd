/**
 * Invariant 1: every wake ends in deep sleep within the wake budget. A hang (the watchdog had to
 * reset the chip), a crash (the firmware stopped without sleeping), a power cut nobody injected,
 * a wake awake longer than the budget plus the watchdog's margin, or a sleep outside 1 s..max are
 * violations.
 */
import type { ChaosHistory, DeviceHistory, Violation } from '../history.js';
import { violation, wakeAt } from './checker.js';
import type { InvariantChecker } from './checker.js';

function afterWake(h: ChaosHistory, d: DeviceHistory, i: number): Violation[] {
  const w = wakeAt(d, i);
  const out: Violation[] = [];
  const v = (m: string): number => out.push(violation('sleep', d.device, w.wake, m));
  const limit = h.wake.budgetMs + h.wake.watchdogMarginMs;
  switch (w.end.kind) {
    case 'sleep':
      if (!(w.end.seconds >= 1 && w.end.seconds <= h.wake.sleepMaxSeconds)) v(`slept ${w.end.seconds} s, outside 1..${h.wake.sleepMaxSeconds} s`);
      if (w.summary === undefined) v(`slept, but boot gave no summary of the wake${w.error !== undefined ? ` (${w.error})` : ''}`);
      break;
    case 'power-cut':
      if (!w.fired.some((f) => f.kind === 'power-cut')) v('the wake ended in a power cut that no fault injected');
      break;
    case 'watchdog':
      v(`hang: the watchdog reset the device after ${Math.round(w.end.afterMs)} ms; the wake budget should have ended the wake first`);
      break;
    case 'crash':
      v(`the firmware stopped without deep sleep: ${w.end.message}`);
      break;
  }
  if (w.cycleMs > limit) {
    const faults = [...w.before, ...w.fired].map((f) => f.kind).join(', ') || 'none';
    const own = w.summary !== undefined ? `; the device counted ${w.summary.awakeMs} ms: ${w.summary.status}` : '';
    v(`awake ${Math.round(w.cycleMs)} ms, more than the ${h.wake.budgetMs} ms budget plus the ${h.wake.watchdogMarginMs} ms watchdog margin (faults: ${faults}${own})`);
  }
  return out;
}

/** Invariant 1: deep sleep within the budget. */
export const sleepInvariant: InvariantChecker = { name: 'sleep', afterWake, atEnd: () => [] };
