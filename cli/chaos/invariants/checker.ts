/**
 * The shape of an invariant checker: told of each wake as it ends (the device's history up to
 * that wake), and of the whole run at its end (when the cloud's final state is known). Checkers
 * keep no state of their own, so replaying a recorded or synthetic history gives the same
 * verdicts as the live run.
 */
import type { ChaosHistory, DeviceHistory, InvariantName, Violation, WakeObservation } from '../history.js';

/** One invariant family. */
export interface InvariantChecker {
  readonly name: InvariantName;
  /** After `d.wakes[i]` ended; only `d.wakes[0..i]` and changes made before it may be read. */
  afterWake(h: ChaosHistory, d: DeviceHistory, i: number): Violation[];
  /** After the run. */
  atEnd(h: ChaosHistory): Violation[];
}

/** A violation of `invariant` at device `device`'s wake `wake`. */
export function violation(invariant: InvariantName, device: number, wake: number, message: string): Violation {
  return { invariant, device, wake, message };
}

/** The wake `d.wakes[i]`. */
export function wakeAt(d: DeviceHistory, i: number): WakeObservation {
  const w = d.wakes[i];
  if (w === undefined) throw new Error(`device ${d.device}: no wake at index ${i}`);
  return w;
}

/** Short JSON of a value for a message. */
export function show(v: unknown): string {
  const t = JSON.stringify(v);
  return t === undefined ? String(v) : t.length > 60 ? `${t.substring(0, 57)}...` : t;
}
