/**
 * Invariant 3: persisted state is never corrupt, and a corrupt record is detected and reported.
 *
 * After every wake the state and intent records on flash and the RTC record are decoded with the
 * core's decoder (checksum, then shape). A corrupt record is a violation unless a bit flip was
 * injected into it and no wake has completed since (a wake cut short may not have reset it yet).
 * After a flip, the first wake that completes must report `ECORRUPT` naming the record, and
 * leave it reset (unless its flash was full): unless a wake cut short after rewriting it already
 * reset it (its report died with it), or the record lived in RTC memory and the power went
 * (nothing left to detect).
 */
import type { ChaosHistory, DeviceHistory, Violation, WakeObservation } from '../history.js';
import { violation, wakeAt } from './checker.js';
import type { InvariantChecker } from './checker.js';

/** A persisted record of the device. */
export type RecordName = 'state' | 'intent' | 'rtc';

const RECORDS: readonly RecordName[] = ['state', 'intent', 'rtc'];

/** The words the status uses for each record. */
export const RECORD_WORDS: Readonly<Record<RecordName, string>> = { state: 'state record', intent: 'intent record', rtc: 'RTC record' };

/** The record a bit-flip fault damaged (from its detail: `dormouse.state byte 3 bit 1`, `RTC memory byte …`). */
export function flippedRecord(detail: string | undefined): RecordName | undefined {
  const d = detail ?? '';
  if (d.startsWith('RTC')) return 'rtc';
  if (d.indexOf('intent') >= 0) return 'intent';
  if (d.indexOf('state') >= 0) return 'state';
  return undefined;
}

/** True when RTC memory did not survive into `w` (a power-on or a reset). */
function rtcLost(w: WakeObservation): boolean {
  return w.reason !== 'timer';
}

/**
 * The index of the wake after which a flip of `rec` is still unsettled at wake `i`: the flip's
 * wake, when every wake since (before `i`) was cut short without rewriting the record.
 */
function pendingFlip(d: DeviceHistory, i: number, rec: RecordName): number | undefined {
  for (let k = i; k >= 0; k--) {
    const w = d.wakes[k] as WakeObservation;
    // A complete wake resets the record, unless its flash writes all failed (it could not).
    const couldWrite = rec === 'rtc' || !w.fired.some((f) => f.kind === 'flash-full');
    if (k < i && ((w.end.kind === 'sleep' && couldWrite) || w.rewrote.indexOf(rec) >= 0)) return undefined;
    if (rec === 'rtc' && rtcLost(w)) return undefined;
    if (w.before.some((f) => f.kind === 'bit-flip' && flippedRecord(f.detail) === rec)) return k;
  }
  return undefined;
}

function afterWake(_h: ChaosHistory, d: DeviceHistory, i: number): Violation[] {
  const w = wakeAt(d, i);
  const out: Violation[] = [];
  const v = (m: string): number => out.push(violation('persistence', d.device, w.wake, m));
  for (const rec of RECORDS) {
    const flip = pendingFlip(d, i, rec);
    if (w.records[rec] === 'corrupt') {
      if (flip === undefined) v(`the ${RECORD_WORDS[rec]} is corrupt after the wake, and no injected fault damaged it`);
      else if (w.end.kind === 'sleep' && (rec === 'rtc' || !w.fired.some((f) => f.kind === 'flash-full'))) v(`the ${RECORD_WORDS[rec]} was damaged before wake ${(d.wakes[flip] as WakeObservation).wake} and is still corrupt after a complete wake: detected maybe, but not reset`);
    }
    if (flip !== undefined && w.summary !== undefined && !(rec === 'rtc' && rtcLost(w))) {
      const status = w.summary.status;
      if (status.indexOf('ECORRUPT') < 0 || status.indexOf(RECORD_WORDS[rec]) < 0) {
        v(`the ${RECORD_WORDS[rec]} was damaged while the device slept, and the wake's status does not report it (ECORRUPT): "${status}"`);
      }
    }
  }
  return out;
}

/** Invariant 3: records never corrupt; corruption detected, reported, reset. */
export const persistenceInvariant: InvariantChecker = { name: 'persistence', afterWake, atEnd: () => [] };
