/**
 * The chaos checkers can fail: each is fed a synthetic history that breaks its invariant and
 * must report it (and one that keeps it, and must not).
 */
import { describe, expect, it } from 'vitest';
import type { ChaosHistory, CloudFinal, DesiredChange, DeviceHistory, EpisodeInfo, Execution, WakeObservation } from '../../cli/chaos/history.js';
import {
  backoffInvariant, checkHistory, convergenceInvariant, exactlyOnceInvariant, persistenceInvariant, reportsInvariant, sleepInvariant, statusInvariant,
} from '../../cli/chaos/invariants/index.js';
import type { InvariantChecker } from '../../cli/chaos/invariants/index.js';
import type { JsonObject } from '../../src/json.js';
import type { StateRecord } from '../../src/store.js';
import type { WakeSummary } from '../../src/wake-summary.js';

const TS = 1_800_000_000;

function summary(p: Partial<WakeSummary> = {}): WakeSummary {
  return {
    wake: 1,
    reason: 'timer',
    time: { source: 'rtc', offsetMs: 0 },
    outcomes: [],
    report: { sent: false, reason: 'nothing-to-report' },
    sleep: { seconds: 30, backoff: false, attempt: 0 },
    awakeMs: 15,
    bytesOut: 300,
    bytesIn: 1000,
    status: 'done: nothing to do',
    ...p,
  };
}

function state(p: Partial<StateRecord> = {}): StateRecord {
  return { current: { sleep: 30, signal: 1, test: 'none', test_param: 100 }, applied: {}, pending: false, unreported: [], rejected: {}, ignored: [], ...p };
}

function wake(n: number, p: Partial<WakeObservation> = {}): WakeObservation {
  return {
    device: 1,
    wake: n,
    episode: 1,
    phase: 'faults',
    reason: 'timer',
    end: { kind: 'sleep', seconds: p.summary?.sleep.seconds ?? 30 },
    cycleMs: 20,
    summary: summary(),
    fired: [],
    before: [],
    executions: [],
    strayBlinks: 0,
    posts: [],
    rewrote: ['rtc'],
    records: { state: 'ok', intent: 'missing', rtc: 'ok' },
    state: state(),
    ...p,
  };
}

function change(key: DesiredChange['key'], value: DesiredChange['value'], ts: number, beforeWake: number, valid = true): DesiredChange {
  return { device: 1, key, value, ts, valid, beforeWake };
}

function exec(value: number, ts: number, p: Partial<Execution> = {}): Execution {
  return { key: 'signal', value, ts, blinks: value, completed: true, ...p };
}

function history(wakes: WakeObservation[], o: { changes?: DesiredChange[]; episodes?: EpisodeInfo[]; final?: CloudFinal; cloudAcks?: number[]; more?: DeviceHistory[] } = {}): ChaosHistory {
  const d: DeviceHistory = { device: 1, thing: 'chaos-1', changes: o.changes ?? [change('signal', 1, TS, 1)], wakes, acks: [] };
  return {
    devices: [d, ...(o.more ?? [])],
    episodes: o.episodes ?? [],
    wake: { budgetMs: 3000, watchdogMarginMs: 2000, sleepMaxSeconds: 600, backoffJitter: 0.25, sleepSeconds: 30 },
    cloudAcks: new Map(o.cloudAcks !== undefined ? [['chaos-1', o.cloudAcks]] : []),
    ...(o.final !== undefined ? { final: new Map([['chaos-1', o.final]]) } : {}),
  };
}

/** The messages `checker` reports over `h`. */
function verdicts(checker: InvariantChecker, h: ChaosHistory): string[] {
  return checkHistory(h, [checker]).map((v) => `${v.invariant} d${v.device} w${v.wake}: ${v.message}`);
}

describe('chaos checkers', () => {
  it('a clean history passes every checker', () => {
    const h = history([wake(1, { executions: [exec(1, TS)], summary: summary({ report: { sent: true, reason: 'changed' }, status: 'done: signal: blinked 1 time' }) }), wake(2), wake(3)]);
    expect(checkHistory(h)).toEqual([]);
  });

  it('sleep: a watchdog reset, a crash, an uninjected power cut and an overlong wake are violations', () => {
    const h = history([
      wake(1, { end: { kind: 'watchdog', afterMs: 5000 }, summary: undefined }),
      wake(2, { end: { kind: 'crash', message: 'boot threw: boom' }, summary: undefined }),
      wake(3, { end: { kind: 'power-cut' }, summary: undefined }),
      wake(4, { cycleMs: 5200 }),
      wake(5, { end: { kind: 'power-cut' }, summary: undefined, fired: [{ kind: 'power-cut', rule: 0, where: 'net.up', detail: 'net' }] }),
    ]);
    const v = verdicts(sleepInvariant, h);
    expect(v).toHaveLength(4);
    expect(v[0]).toMatch(/^sleep d1 w1: hang: the watchdog reset the device after 5000 ms/);
    expect(v[1]).toMatch(/^sleep d1 w2: the firmware stopped without deep sleep: boot threw: boom/);
    expect(v[2]).toMatch(/^sleep d1 w3: the wake ended in a power cut that no fault injected/);
    expect(v[3]).toBe('sleep d1 w4: awake 5200 ms, more than the 3000 ms budget plus the 2000 ms watchdog margin (faults: none; the device counted 15 ms: done: nothing to do)');
  });

  it('exactly-once: the same change run twice is a repeat, unless a record was damaged in between', () => {
    const twice = history([wake(1, { executions: [exec(1, TS)] }), wake(2), wake(3, { executions: [exec(1, TS)] })]);
    expect(verdicts(exactlyOnceInvariant, twice)).toEqual(['exactly-once d1 w3: signal ran twice for desired change signal (1 @ 1800000000): in wake 1 and again in wake 3']);
    const forgot = history([wake(1, { executions: [exec(1, TS)] }), wake(2, { before: [{ kind: 'bit-flip', rule: 0, where: 'asleep', detail: 'dormouse.state byte 3 bit 2' }] }), wake(3, { executions: [exec(1, TS)] })]);
    expect(verdicts(exactlyOnceInvariant, forgot)).toEqual([]);
    const rtcOnly = history([wake(1, { executions: [exec(1, TS)] }), wake(2, { before: [{ kind: 'bit-flip', rule: 0, where: 'asleep', detail: 'RTC memory byte 3 bit 2' }] }), wake(3, { executions: [exec(1, TS)] })]);
    expect(verdicts(exactlyOnceInvariant, rtcOnly)).toHaveLength(1);
  });

  it('exactly-once: a run for a change nobody made, too many blinks, blinks outside an intent record', () => {
    const h = history([wake(1, { executions: [exec(2, TS + 5), exec(1, TS, { blinks: 3 })], strayBlinks: 2 })]);
    expect(verdicts(exactlyOnceInvariant, h)).toEqual([
      'exactly-once d1 w1: signal (2 @ 1800000005) ran, but the driver never made that desired change',
      'exactly-once d1 w1: signal 1 blinked 3 times',
      'exactly-once d1 w1: the indicator blinked 2 times outside any intent record: a side effect the exactly-once record does not cover',
    ]);
  });

  const episode: EpisodeInfo = { index: 1, firstWake: 1, quietFrom: 3, lastWake: 6 };
  const quiet = (n: number, reported: JsonObject, p: Partial<WakeObservation> = {}): WakeObservation => wake(n, { phase: 'quiet', reported, ...p });
  const desired = { sleep: 30, signal: 2, test: 'none', test_param: 100 };
  const changes = [change('sleep', 30, TS, 1), change('test', 'none', TS, 1), change('test_param', 100, TS, 1), change('signal', 1, TS, 1), change('signal', 2, TS + 1, 3)];

  it('convergence: reported that never reaches desired, or reaches it after the bound, is a violation', () => {
    const never = history([wake(1), wake(2), quiet(3, { ...desired, signal: 1 }), quiet(4, { ...desired, signal: 1 }), quiet(5, { ...desired, signal: 1 }), quiet(6, { ...desired, signal: 1 })], { changes, episodes: [episode] });
    const v = verdicts(convergenceInvariant, never);
    expect(v[0]).toBe('convergence d1 w6: episode 1: reported did not converge to desired within 4 quiet wakes (signal: reported 1, desired 2)');
    expect(v[1]).toMatch(/^convergence d1 w6: episode 1: the last signal change \(2 @ 1800000001, made before wake 3\) never ran: a lost command$/);
    const late = history(
      [wake(1), wake(2), quiet(3, { signal: 1 }), quiet(4, { signal: 1 }), quiet(5, { signal: 1 }), quiet(6, desired, { executions: [exec(2, TS + 1)] })],
      { changes, episodes: [episode] },
    );
    expect(verdicts(convergenceInvariant, late)).toEqual(['convergence d1 w6: episode 1: converged only after 4 quiet wakes (bound 3)']);
    const fine = history([wake(1), wake(2), quiet(3, desired, { executions: [exec(2, TS + 1)] }), quiet(4, desired), quiet(5, desired), quiet(6, desired)], { changes, episodes: [episode] });
    expect(verdicts(convergenceInvariant, fine)).toEqual([]);
  });

  it('convergence: a pending report or an open intent record is not converged; an invalid desired value keeps an earlier valid one', () => {
    const pending = history([wake(1), wake(2), ...[3, 4, 5, 6].map((n) => quiet(n, desired, { state: state({ pending: true }), executions: n === 3 ? [exec(2, TS + 1)] : [] }))], { changes, episodes: [episode] });
    expect(verdicts(convergenceInvariant, pending)[0]).toMatch(/within 4 quiet wakes \(a report is still pending\)/);
    const withInvalid = [...changes, change('sleep', 9000, TS + 1, 3, false)];
    const kept = history([wake(1), wake(2), quiet(3, desired, { executions: [exec(2, TS + 1)] }), quiet(4, desired), quiet(5, desired), quiet(6, desired)], { changes: withInvalid, episodes: [episode] });
    expect(verdicts(convergenceInvariant, kept)).toEqual([]);
  });

  it('persistence: a corrupt record nobody damaged, or one still corrupt after a complete wake, or an unreported flip', () => {
    const flip = { kind: 'bit-flip' as const, rule: 0, where: 'asleep', detail: 'dormouse.state byte 3 bit 2' };
    const unprovoked = history([wake(1, { records: { state: 'corrupt', intent: 'missing', rtc: 'ok' } })]);
    expect(verdicts(persistenceInvariant, unprovoked)).toEqual(['persistence d1 w1: the state record is corrupt after the wake, and no injected fault damaged it']);
    const notReset = history([wake(1), wake(2, { before: [flip], records: { state: 'corrupt', intent: 'missing', rtc: 'ok' }, summary: summary({ status: 'error: ECORRUPT: state record failed its checksum and was reset' }) })]);
    expect(verdicts(persistenceInvariant, notReset)).toEqual(['persistence d1 w2: the state record was damaged before wake 2 and is still corrupt after a complete wake: detected maybe, but not reset']);
    const unreported = history([wake(1), wake(2, { before: [flip] })]);
    expect(verdicts(persistenceInvariant, unreported)).toEqual(['persistence d1 w2: the state record was damaged while the device slept, and the wake\'s status does not report it (ECORRUPT): "done: nothing to do"']);
    const cutThenReported = history([
      wake(1),
      wake(2, { before: [flip], end: { kind: 'power-cut' }, summary: undefined, records: { state: 'corrupt', intent: 'missing', rtc: 'missing' }, fired: [{ kind: 'power-cut', rule: 1, where: 'x' }] }),
      wake(3, { reason: 'power-on', summary: summary({ status: 'error: ECORRUPT: state record failed its checksum and was reset' }) }),
    ]);
    expect(verdicts(persistenceInvariant, cutThenReported)).toEqual([]);
    const rtcLost = history([wake(1), wake(2, { reason: 'power-on', before: [{ ...flip, detail: 'RTC memory byte 1 bit 1' }] })]);
    expect(verdicts(persistenceInvariant, rtcLost)).toEqual([]);
  });

  it('reports: an acknowledged version missing from the history or holding other content, a pending report never sent, an interruption never reported', () => {
    const reported = { sleep: 30, signal: 1, test: 'none', test_param: 100, status: 'done: x' };
    const final: CloudFinal = { history: new Map<number, JsonObject | null>([[5, { reported: { signal: 9 } }]]), reported, desired: {} };
    const h = history(
      [
        wake(1, { posts: [{ status: 200, version: 4, reported }, { status: 200, version: 5, reported }] }),
        wake(2, { executions: [exec(1, TS, { completed: false })], end: { kind: 'power-cut' }, summary: undefined, fired: [{ kind: 'power-cut', rule: 0, where: 'x' }] }),
        wake(3, { summary: summary({ report: { sent: false, reason: 'changed' }, status: 'error: ECONN: x' }) }),
      ],
      { final, cloudAcks: [7] },
    );
    const v = verdicts(reportsInvariant, h);
    expect(v).toEqual([
      'reports d1 w1: the cloud acknowledged the report as version 4, and its history does not have that version',
      "reports d1 w1: the cloud's history holds version 5 with another reported state than the device sent",
      'reports d1 w2: signal (1) was cut short by a power cut, and no later wake reported it interrupted',
      'reports d1 w3: a report that could not be sent (changed) was never sent by a later wake',
      'reports d1 w0: the cloud sent 200 for version 7, and its history does not have it',
    ]);
  });

  it('reports: an interruption counts as reported once an accepted report carries it, even when the wake that found it died', () => {
    const cut = wake(1, { executions: [exec(1, TS, { completed: false })], end: { kind: 'power-cut' }, summary: undefined, fired: [{ kind: 'power-cut', rule: 0, where: 'x' }] });
    const foundThenCut = wake(2, { end: { kind: 'power-cut' }, summary: undefined, fired: [{ kind: 'power-cut', rule: 0, where: 'y' }] });
    const carried = (status: string): WakeObservation =>
      wake(3, {
        summary: summary({ report: { sent: true, reason: 'pending' }, status }),
        posts: [{ status: 200, version: 9, reported: { signal: 1, status } }],
      });
    expect(verdicts(reportsInvariant, history([cut, foundThenCut, carried('error: signal interrupted (power loss)')]))).toEqual([]);
    expect(verdicts(reportsInvariant, history([cut, foundThenCut, carried('done: nothing to do')]))).toEqual([
      'reports d1 w1: signal (1) was cut short by a power cut, and no later wake reported it interrupted',
    ]);
    const foundUnsent = wake(2, { summary: summary({ outcomes: [{ key: 'signal', action: 'interrupted', text: 'signal interrupted (power loss)' }] }) });
    expect(verdicts(reportsInvariant, history([cut, foundUnsent]))).toEqual([
      'reports d1 w1: signal (1) was cut short by a power cut, and no later wake reported it interrupted',
    ]);
  });

  it("reports: the device's current state must be what the cloud holds as reported at the end", () => {
    const final: CloudFinal = { history: new Map(), reported: { sleep: 30, signal: 3, test: 'none', test_param: 100 }, desired: {} };
    const h = history([wake(1)], { final });
    expect(verdicts(reportsInvariant, h)).toEqual(["reports d1 w1: the device's current signal is 1, the cloud's reported 3"]);
  });

  it('backoff: a failed wake that does not back off, a good wake off its period, a step out of range, a broken count', () => {
    const failed = (n: number, error: WakeSummary['error'], seconds: number, attempt: number, backoff = true): WakeObservation =>
      wake(n, { summary: summary({ error, status: `error: ${error}: x`, sleep: { seconds, backoff, attempt } }) });
    const h = history([
      failed(1, 'ECONN', 30, 0, false),
      wake(2, { summary: summary({ sleep: { seconds: 45, backoff: false, attempt: 0 } }) }),
      failed(3, 'ECLOUD', 59, 1),
      failed(4, 'ECLOUD', 200, 2),
      failed(5, 'ECLOUD', 400, 4),
      failed(6, 'ECLOUD', 215, 5),
    ]);
    expect(verdicts(backoffInvariant, h)).toEqual([
      'backoff d1 w1: the wake failed (ECONN) but did not back off',
      'backoff d1 w2: a good wake slept 45 s, not the normal period of 30 s',
      'backoff d1 w4: backoff attempt 2 from 30 s slept 200 s, expected 90..120 s',
      'backoff d1 w5: backoff attempt 4, expected 3 after the previous wake',
      'backoff d1 w6: backoff attempt 5 from 30 s slept 215 s, expected 450..600 s',
    ]);
  });

  it('backoff: devices that all slept the same after an outage are in step (no jitter); different sleeps are fine', () => {
    const outage: EpisodeInfo = { index: 1, firstWake: 1, quietFrom: 10, lastWake: 12, outage: { from: 2, to: 3, kind: 'http-503' } };
    const dev = (device: number, seconds: number): DeviceHistory => ({
      device,
      thing: `chaos-${device}`,
      changes: [],
      acks: [],
      wakes: [wake(2, { device, summary: summary({ error: 'ECLOUD', status: 'error: ECLOUD: x', sleep: { seconds, backoff: true, attempt: 1 } }) })],
    });
    const inStep: ChaosHistory = { ...history([], { episodes: [outage] }), devices: [dev(1, 60), dev(2, 60), dev(3, 60)] };
    expect(backoffInvariant.atEnd(inStep).map((v) => v.message)).toEqual(['episode 1: after the http-503 outage all 3 devices slept exactly 60 s at backoff attempt 1: no jitter, the fleet would wake in step']);
    const spread: ChaosHistory = { ...inStep, devices: [dev(1, 60), dev(2, 52), dev(3, 47)] };
    expect(backoffInvariant.atEnd(spread)).toEqual([]);
  });

  it('status: no done/error prefix, a failure whose code is not shown or unknown, a fault the status keeps quiet about', () => {
    const h = history([
      wake(1, { summary: summary({ status: 'ok' }) }),
      wake(2, { summary: summary({ error: 'ECONN', status: 'error: the network failed', sleep: { seconds: 50, backoff: true, attempt: 1 } }) }),
      wake(3, { summary: summary({ error: 'EWHAT' as WakeSummary['error'], status: 'error: EWHAT: x' }) }),
      wake(4, { fired: [{ kind: 'wifi-fail', rule: 0, where: 'net.up' }] }),
      wake(5, { summary: summary({ status: 'error: something went wrong' }) }),
      // The device gave up waiting before the cloud's 503 came: a timeout is a true report too.
      wake(6, { fired: [{ kind: 'http-503', rule: 0, where: 'GET /x' }], summary: summary({ error: 'ETIMEOUT', status: 'error: ETIMEOUT: GET /x: no complete response within 1000 ms', sleep: { seconds: 50, backoff: true, attempt: 1 } }) }),
    ]);
    expect(verdicts(statusInvariant, h)).toEqual([
      'status d1 w1: the status "ok" starts with neither "done: " nor "error: "',
      'status d1 w2: the wake failed with ECONN, and its status does not show the code: "error: the network failed"',
      'status d1 w2: the status is an error without a code or a key that failed: "error: the network failed"',
      'status d1 w3: the wake failed with "EWHAT", not an error code of src/errors.ts',
      'status d1 w4: wifi-fail struck (net.up), and the status does not report ENET: "done: nothing to do"',
      'status d1 w5: the status is an error without a code or a key that failed: "error: something went wrong"',
    ]);
  });
});
