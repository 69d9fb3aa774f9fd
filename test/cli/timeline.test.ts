import { describe, expect, it } from 'vitest';
import type { WakeRecord } from '../../hal/sim/runner.js';
import type { WakeSummary } from '../../src/wake-summary.js';
import { formatBytes, formatDuration, formatOffset, formatProgress, formatWakeLine } from '../../cli/timeline.js';

const plain = { color: false };

function record(summary: WakeSummary | undefined, over: Partial<WakeRecord> = {}): WakeRecord {
  return {
    index: 3,
    reason: 'timer',
    startedAt: new Date(2025, 0, 15, 14, 2, 11).getTime(),
    cycleMs: 20,
    contextMs: 1,
    end: { kind: 'sleep', seconds: 30 },
    stats: { blinks: 0, connections: 1, requests: 2, flashBytes: 10 },
    sleepRealMs: 3000,
    ...(summary !== undefined ? { summary } : {}),
    ...over,
  };
}

const summary: WakeSummary = {
  wake: 12,
  reason: 'timer',
  time: { source: 'sntp', offsetMs: -7_200_004 },
  shadowVersion: 4,
  outcomes: [{ key: 'signal', action: 'applied', text: 'signal: blinked 5 times' }],
  report: { sent: true, reason: 'changed' },
  sleep: { seconds: 30, backoff: false, attempt: 0 },
  awakeMs: 1834,
  bytesOut: 884,
  bytesIn: 2010,
  status: 'done: signal: blinked 5 times',
};

describe('timeline', () => {
  it('timeline: one line with wake, time source and offset, version, handlers, report, sleep, awake time and bytes', () => {
    const line = formatWakeLine(record(summary, { stats: { blinks: 5, connections: 1, requests: 2, flashBytes: 1 } }), plain);
    expect(line).toBe(
      '14:02:11 wake 12 timer │ time sntp -2 h 00 m 00 s │ v4 │ signal: blinked 5 times │ report sent (changed) │ sleep 30 s (3.0 s real) │ awake 1.8 s │ 884 B out 2.0 kB in │ led ×5',
    );
  });

  it('timeline: a quiet wake says nothing to do and report skipped; an error shows the status and the backoff', () => {
    const quiet = formatWakeLine(record({ ...summary, time: { source: 'rtc', offsetMs: 0 }, outcomes: [], report: { sent: false, reason: 'nothing-to-report' }, status: 'done: nothing to do' }), plain);
    expect(quiet).toContain('│ time rtc │ v4 │ nothing to do │ report skipped │');
    const failed = formatWakeLine(
      record({ ...summary, outcomes: [], shadowVersion: undefined, error: 'ECONN', status: 'error: ECONN: 127.0.0.1:8443: ECONNREFUSED', report: { sent: false, reason: 'pending' }, sleep: { seconds: 45, backoff: true, attempt: 1 } }, { end: { kind: 'sleep', seconds: 45 }, sleepRealMs: 4500 }),
      plain,
    );
    expect(failed).toContain('│ – │ error: ECONN: 127.0.0.1:8443: ECONNREFUSED │ report pending (pending) │ sleep 45 s (4.5 s real) backoff 1 │');
  });

  it('timeline: power cuts, watchdog resets and crashes get their own line', () => {
    expect(formatWakeLine(record(undefined, { end: { kind: 'power-cut' } }), plain)).toContain('wake 3 timer │ power cut');
    expect(formatWakeLine(record(undefined, { end: { kind: 'watchdog', afterMs: 30_000 } }), plain)).toContain('watchdog reset after 30.0 s');
    expect(formatWakeLine(record(undefined, { end: { kind: 'crash', message: 'boot threw: x' } }), plain)).toContain('crash: boot threw: x');
  });

  it('timeline: colours only when asked', () => {
    expect(formatWakeLine(record(summary), plain)).not.toContain('\x1b[');
    expect(formatWakeLine(record(summary), { color: true })).toContain('\x1b[');
  });

  it('progress: wakes, rate, failures by code and cycle percentiles', () => {
    const line = formatProgress(
      { wakes: 1402, failures: { ETIMEOUT: 2, ECONN: 1 }, failed: 3, elapsedMs: 16_200, wakesPerSecond: 120.44, meanWakesPerSecond: 86.4, p50Ms: 1200, p99Ms: 3000, maxMs: 3100 },
      200,
      2000,
      plain,
    );
    expect(line).toBe('fleet 200 devices │ 1402/2000 wakes in 16.2 s │ 120.4 wakes/s (mean 86.4) │ failures ECONN 1, ETIMEOUT 2 │ cycle p50 1.2 s p99 3.0 s');
  });

  it('formats: durations, offsets, bytes', () => {
    expect(formatDuration(412.4)).toBe('412 ms');
    expect(formatDuration(3400)).toBe('3.4 s');
    expect(formatDuration(7_203_000)).toBe('2 h 00 m 03 s');
    expect(formatOffset(12)).toBe('+12 ms');
    expect(formatOffset(-90_000)).toBe('-90.0 s');
    expect(formatBytes(982)).toBe('982 B');
    expect(formatBytes(1509)).toBe('1.5 kB');
  });
});
