/**
 * Invariant 4: a report that could not be sent is sent later, and the cloud never loses an
 * acknowledged update.
 *
 * - Every POST the device saw answered 200 names a version; at the end, the cloud's history has
 *   that version with exactly the reported section the device sent.
 * - Every 200 the cloud sent in full for an update is in its history.
 * - A wake whose report stayed pending is followed by a wake that sent one.
 * - A handler cut short by a power cut is reported `interrupted` by a later wake, in a report the
 *   cloud accepted (unless its intent record was damaged on purpose in between).
 * - At the end, what the device holds as its current state is what the cloud says it reported.
 */
import { deepEqual } from '../../../src/json.js';
import { DRIVEN_KEYS } from '../history.js';
import type { ChaosHistory, DeviceHistory, Violation, WakeObservation } from '../history.js';
import { flippedRecord } from './persistence.js';
import { show, violation, wakeAt } from './checker.js';
import type { InvariantChecker } from './checker.js';

function afterWake(_h: ChaosHistory, d: DeviceHistory, i: number): Violation[] {
  const w = wakeAt(d, i);
  const out: Violation[] = [];
  // A garbage answer may be a 200 that is not a shadow document: the device must not take it as an acknowledgment.
  const garbled = w.fired.some((f) => f.kind === 'garbage');
  for (const p of w.posts) {
    if (p.status === 200 && p.version === undefined && !garbled) out.push(violation('reports', d.device, w.wake, 'the cloud answered a report 200 without a version'));
    if (p.status === 200 && p.version === undefined && garbled && w.summary !== undefined && w.summary.report.sent) {
      out.push(violation('reports', d.device, w.wake, 'the device took a 200 that was not a shadow document for an accepted report'));
    }
  }
  return out;
}

function reportedLater(d: DeviceHistory, from: number): boolean {
  for (let k = from + 1; k < d.wakes.length; k++) if ((d.wakes[k] as WakeObservation).summary?.report.sent === true) return true;
  return false;
}

/** True when a report the cloud accepted says `KEY… interrupted (…)` (`signal interrupted (power loss)`). */
function acceptedStatusSaysInterrupted(w: WakeObservation, key: string): boolean {
  return w.posts.some((p) => {
    const status = p.status === 200 ? p.reported?.['status'] : undefined;
    return typeof status === 'string' && status.indexOf(`${key} `) >= 0 && status.indexOf(' interrupted (') >= 0;
  });
}

/**
 * The wake that finds the intent record shows the interruption among its outcomes; when that
 * wake dies before its report, the text waits on flash and a later report carries it.
 */
function interruptionReported(d: DeviceHistory, from: number, key: string): boolean {
  let seen = false;
  for (let k = from + 1; k < d.wakes.length; k++) {
    const w = d.wakes[k] as WakeObservation;
    if (w.before.some((f) => f.kind === 'bit-flip' && flippedRecord(f.detail) === 'intent')) return true;
    if (w.summary?.outcomes.some((o) => o.key === key && o.action === 'interrupted') === true) seen = true;
    if (seen && w.summary?.report.sent === true) return true;
    if (acceptedStatusSaysInterrupted(w, key)) return true;
  }
  return false;
}

function checkDevice(h: ChaosHistory, d: DeviceHistory): Violation[] {
  const out: Violation[] = [];
  const v = (wake: number, m: string): number => out.push(violation('reports', d.device, wake, m));
  const final = h.final?.get(d.thing);
  d.wakes.forEach((w, i) => {
    if (final !== undefined) {
      for (const p of w.posts) {
        if (p.status !== 200 || p.version === undefined) continue;
        if (!final.history.has(p.version)) v(w.wake, `the cloud acknowledged the report as version ${p.version}, and its history does not have that version`);
        else if (p.reported !== undefined && !deepEqual(final.history.get(p.version)?.['reported'] ?? null, p.reported)) {
          v(w.wake, `the cloud's history holds version ${p.version} with another reported state than the device sent`);
        }
      }
    }
    const s = w.summary;
    if (s !== undefined && !s.report.sent && s.report.reason !== 'nothing-to-report' && !reportedLater(d, i)) {
      v(w.wake, `a report that could not be sent (${s.report.reason}) was never sent by a later wake`);
    }
    for (const e of w.executions) {
      if (!e.completed && !interruptionReported(d, i, e.key)) {
        v(w.wake, `${e.key} (${show(e.value)}) was cut short by a power cut, and no later wake reported it interrupted`);
      }
    }
  });
  if (final !== undefined) {
    for (const version of h.cloudAcks.get(d.thing) ?? []) {
      if (!final.history.has(version)) v(0, `the cloud sent 200 for version ${version}, and its history does not have it`);
    }
    const last = d.wakes[d.wakes.length - 1];
    if (last !== undefined && last.end.kind === 'sleep' && last.state !== undefined && !last.state.pending) {
      for (const k of DRIVEN_KEYS) {
        const mine = last.state.current[k];
        if (mine !== undefined && !deepEqual(mine, final.reported[k])) v(last.wake, `the device's current ${k} is ${show(mine)}, the cloud's reported ${show(final.reported[k])}`);
      }
      if (last.state.lastStatus !== undefined && final.reported['status'] !== last.state.lastStatus) {
        v(last.wake, `the device last reported status ${show(last.state.lastStatus)}, the cloud holds ${show(final.reported['status'])}`);
      }
    }
  }
  return out;
}

function atEnd(h: ChaosHistory): Violation[] {
  return h.devices.flatMap((d) => checkDevice(h, d));
}

/** Invariant 4: pending reports go out later; acknowledged updates are kept. */
export const reportsInvariant: InvariantChecker = { name: 'reports', afterWake, atEnd };
