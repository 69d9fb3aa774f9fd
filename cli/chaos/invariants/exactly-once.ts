/**
 * Invariant 2, first half: no handler with side effects runs twice for one desired change.
 *
 * A run is seen from outside: the exactly-once intent record written to flash right before the
 * handler (its key, value and the desired timestamp of the change), then the side effect itself
 * (indicator blinks) until the record is removed. The same (key, value, desired timestamp) run
 * twice is a repeat, with one exception the spec implies: a corrupted state or intent record is
 * reset, and a device that forgot what it applied may run the current change once more (the
 * checker allows a repeat only across such an injected corruption). Also violations: a run for a
 * change the driver never made, blinks outside any intent record (a side effect the record does
 * not cover), more blinks than `signal` asked for.
 */
import { deepEqual } from '../../../src/json.js';
import type { ChaosHistory, DesiredChange, DeviceHistory, Execution, Violation } from '../history.js';
import { show, violation, wakeAt } from './checker.js';
import type { InvariantChecker } from './checker.js';

/** Identity of a desired change as an execution names it. */
export function changeId(e: Pick<Execution, 'key' | 'value' | 'ts'>): string {
  return `${e.key}|${JSON.stringify(e.value)}|${e.ts ?? '-'}`;
}

/** The driver's change an execution belongs to, if any. */
export function changeOf(changes: readonly DesiredChange[], e: Execution, wake: number): DesiredChange | undefined {
  for (const c of changes) {
    if (c.beforeWake > wake || c.ts !== e.ts) continue;
    if (e.key === 'test') {
      const v = e.value as { name?: unknown; param?: unknown } | null;
      const name = v !== null && typeof v === 'object' ? v.name : e.value;
      const param = v !== null && typeof v === 'object' ? v.param : undefined;
      if ((c.key === 'test' && c.value === name) || (c.key === 'test_param' && deepEqual(c.value, param as never))) return c;
    } else if (c.key === e.key && deepEqual(c.value, e.value)) return c;
  }
  return undefined;
}

/** True when a state or intent record was corrupted on purpose before a wake in (fromIndex, toIndex]. */
export function forgotBetween(d: DeviceHistory, fromIndex: number, toIndex: number): boolean {
  for (let k = fromIndex + 1; k <= toIndex; k++) {
    const w = d.wakes[k];
    if (w !== undefined && w.before.some((f) => f.kind === 'bit-flip' && !(f.detail ?? '').startsWith('RTC'))) return true;
  }
  return false;
}

function afterWake(_h: ChaosHistory, d: DeviceHistory, i: number): Violation[] {
  const w = wakeAt(d, i);
  const out: Violation[] = [];
  const v = (m: string): number => out.push(violation('exactly-once', d.device, w.wake, m));
  w.executions.forEach((e, n) => {
    const what = `${e.key} (${show(e.value)} @ ${e.ts ?? 'no timestamp'})`;
    if (changeOf(d.changes, e, w.wake) === undefined) v(`${what} ran, but the driver never made that desired change`);
    if (e.key === 'signal' && typeof e.value === 'number' && e.blinks > e.value) v(`signal ${e.value} blinked ${e.blinks} times`);
    const id = changeId(e);
    for (let k = n - 1; k >= 0; k--) {
      if (changeId(w.executions[k] as Execution) === id) v(`${e.key} ran twice in one wake for desired change ${what}`);
    }
    for (let j = i - 1; j >= 0; j--) {
      const earlier = (d.wakes[j] as (typeof d.wakes)[number]).executions.find((x) => changeId(x) === id);
      if (earlier === undefined) continue;
      if (!forgotBetween(d, j, i)) v(`${e.key} ran twice for desired change ${what}: in wake ${(d.wakes[j] as (typeof d.wakes)[number]).wake} and again in wake ${w.wake}`);
      break;
    }
  });
  if (w.strayBlinks > 0) v(`the indicator blinked ${w.strayBlinks} time${w.strayBlinks === 1 ? '' : 's'} outside any intent record: a side effect the exactly-once record does not cover`);
  return out;
}

/** Invariant 2a: at most once per desired change. */
export const exactlyOnceInvariant: InvariantChecker = { name: 'exactly-once', afterWake, atEnd: () => [] };
