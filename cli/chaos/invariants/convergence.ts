/**
 * Invariant 2, second half: no change is lost. After each episode's fault phase comes a quiet
 * phase (no faults, no new desired changes after its first wake's); within a bounded number of
 * wakes the cloud's reported state must equal the desired value of every key (when desired holds
 * an invalid value, one of the valid values set before it: the device keeps its current one), the
 * device must have nothing pending (no unsent report, no open intent record), and the last change
 * of each command key must have run (or been reported interrupted).
 *
 * The bound: a quiet wake starts with a working network, so one wake fetches, applies and
 * reports. In wall-clock terms that first quiet wake comes after the sleep the last faulted wake
 * chose, at most the backoff cap (600 s): convergence takes one wake, within cap + one wake.
 * {@link CONVERGENCE_BOUND} allows three, for wakes the run's own load slows past a timeout.
 */
import { deepEqual, isPlainObject } from '../../../src/json.js';
import type { JsonObject, JsonValue } from '../../../src/json.js';
import { DRIVEN_KEYS } from '../history.js';
import type { ChaosHistory, DesiredChange, DeviceHistory, EpisodeInfo, Violation, WakeObservation } from '../history.js';
import { show, violation } from './checker.js';
import type { InvariantChecker } from './checker.js';

/** Quiet wakes within which reported must converge. */
export const CONVERGENCE_BOUND = 3;

/** What reported may hold for each driven key: desired's value, or (desired invalid) one of the valid values set before. */
export type Expected = Readonly<Record<string, readonly JsonValue[]>>;

/** The values reported may hold for each key after `changes` (in order). */
export function expectedState(changes: readonly DesiredChange[]): Expected {
  const out: Record<string, JsonValue[]> = {};
  const valid: Record<string, JsonValue[]> = {};
  for (const c of changes) {
    const seen = (valid[c.key] ??= []);
    if (c.valid) {
      seen.push(c.value);
      out[c.key] = [c.value];
    } else out[c.key] = seen.slice(0);
  }
  return out;
}

/** The keys where `reported` holds none of the expected values, as texts. */
export function differences(expected: Expected, reported: JsonObject | undefined): string[] {
  const out: string[] = [];
  for (const k of DRIVEN_KEYS) {
    const want = expected[k];
    if (want === undefined || want.length === 0) continue;
    const got = reported !== undefined && isPlainObject(reported) ? reported[k] : undefined;
    if (!want.some((x) => deepEqual(got, x))) out.push(`${k}: reported ${show(got)}, desired ${want.length === 1 ? show(want[0]) : `one of ${show(want)}`}`);
  }
  return out;
}

function settled(w: WakeObservation, expected: Expected): boolean {
  return w.end.kind === 'sleep' && w.reported !== undefined && differences(expected, w.reported).length === 0 &&
    w.state !== undefined && !w.state.pending && w.records.intent === 'missing';
}

/** The wakes of episode `e` of `d`. */
function episodeWakes(d: DeviceHistory, e: EpisodeInfo): { all: WakeObservation[]; quiet: WakeObservation[] } {
  const all = d.wakes.filter((w) => w.wake >= e.firstWake && w.wake <= e.lastWake);
  return { all, quiet: all.filter((w) => w.phase === 'quiet') };
}

/** Quiet wakes each device needed to converge in each episode (undefined: it did not). */
export function convergenceWakes(h: ChaosHistory): { device: number; episode: number; wakes: number | undefined }[] {
  const out: { device: number; episode: number; wakes: number | undefined }[] = [];
  for (const d of h.devices) {
    for (const e of h.episodes) {
      const { quiet } = episodeWakes(d, e);
      if (quiet.length === 0) continue;
      const expected = expectedState(d.changes.filter((c) => c.beforeWake <= e.quietFrom));
      const n = quiet.findIndex((w) => settled(w, expected));
      out.push({ device: d.device, episode: e.index, wakes: n < 0 ? undefined : n + 1 });
    }
  }
  return out;
}

/** The last change of `key` made before the quiet phase of `e`, when it is valid (an invalid one runs nothing). */
function lastValid(changes: readonly DesiredChange[], key: string, e: EpisodeInfo): DesiredChange | undefined {
  let last: DesiredChange | undefined;
  for (const c of changes) if (c.key === key && c.beforeWake <= e.quietFrom) last = c;
  return last !== undefined && last.valid ? last : undefined;
}

function ran(d: DeviceHistory, c: DesiredChange, upTo: number): boolean {
  for (const w of d.wakes) {
    if (w.wake < c.beforeWake || w.wake > upTo) continue;
    for (const x of w.executions) {
      if (c.key === 'signal' && x.key === 'signal' && deepEqual(x.value, c.value) && x.ts === c.ts) return true;
      if (c.key === 'test' && x.key === 'test') {
        const name = x.value !== null && typeof x.value === 'object' && !Array.isArray(x.value) ? (x.value as { name?: JsonValue }).name : x.value;
        if (name === c.value && x.ts !== undefined && x.ts >= c.ts) return true;
      }
    }
  }
  return false;
}

function atEnd(h: ChaosHistory): Violation[] {
  const out: Violation[] = [];
  for (const d of h.devices) {
    for (const e of h.episodes) {
      const { quiet } = episodeWakes(d, e);
      if (quiet.length === 0) continue;
      const last = quiet[quiet.length - 1] as WakeObservation;
      const expected = expectedState(d.changes.filter((c) => c.beforeWake <= e.quietFrom));
      const n = quiet.findIndex((w) => settled(w, expected));
      if (n < 0) {
        const diff = differences(expected, last.reported);
        const why = diff.length > 0 ? diff.join('; ') : last.state?.pending === true ? 'a report is still pending' : last.records.intent !== 'missing' ? 'an intent record is still on flash' : `the last wake ended in ${last.end.kind}`;
        out.push(violation('convergence', d.device, last.wake, `episode ${e.index}: reported did not converge to desired within ${quiet.length} quiet wakes (${why})`));
      } else if (n + 1 > CONVERGENCE_BOUND) {
        out.push(violation('convergence', d.device, (quiet[n] as WakeObservation).wake, `episode ${e.index}: converged only after ${n + 1} quiet wakes (bound ${CONVERGENCE_BOUND})`));
      }
      for (const key of ['signal', 'test']) {
        const c = lastValid(d.changes, key, e);
        if (c === undefined || (key === 'test' && c.value === 'none')) continue;
        if (!ran(d, c, last.wake)) out.push(violation('convergence', d.device, last.wake, `episode ${e.index}: the last ${key} change (${show(c.value)} @ ${c.ts}, made before wake ${c.beforeWake}) never ran: a lost command`));
      }
    }
  }
  return out;
}

/** Invariant 2b: reported converges; no command is lost. */
export const convergenceInvariant: InvariantChecker = { name: 'convergence', afterWake: () => [], atEnd };
