/**
 * The simulator's live timeline: one line per wake (wake number and reason, time source and
 * offset, shadow version, what each handler did, report sent or skipped, sleep length, awake time
 * and bytes on the wire), and the fleet's progress line (wakes per second, failures by code,
 * p50/p99 cycle time).
 */
import type { FleetSnapshot } from '../hal/sim/fleet-stats.js';
import type { WakeRecord } from '../hal/sim/runner.js';
import type { WakeSummary } from '../src/wake-summary.js';

/** How lines are drawn. */
export interface TimelineStyle {
  /** ANSI colours (a terminal). */
  readonly color: boolean;
}

const SEP = ' │ ';

function paint(on: boolean, code: string, text: string): string {
  return on ? `\x1b[${code}m${text}\x1b[0m` : text;
}

/** `412 ms`, `3.4 s`, `2 h 00 m 03 s`. */
export function formatDuration(ms: number): string {
  const a = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (a < 1000) return `${sign}${Math.round(a)} ms`;
  if (a < 120_000) return `${sign}${(a / 1000).toFixed(1)} s`;
  const s = Math.round(a / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${sign}${h} h ${String(m).padStart(2, '0')} m ${String(r).padStart(2, '0')} s` : `${sign}${m} m ${String(r).padStart(2, '0')} s`;
}

/** A clock offset with its sign: `+12 ms`, `-2 h 00 m 00 s`. */
export function formatOffset(ms: number): string {
  return ms >= 0 ? `+${formatDuration(ms)}` : formatDuration(ms);
}

/** `982 B`, `1.5 kB`, `2.3 MB`. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} kB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

function hhmmss(epochMs: number): string {
  const d = new Date(epochMs);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((x) => String(x).padStart(2, '0')).join(':');
}

/** The summary of a record, when `boot` resolved with one that looks like a {@link WakeSummary}. */
export function summaryOf(r: WakeRecord): WakeSummary | undefined {
  const s = r.summary as Partial<WakeSummary> | undefined;
  if (s === undefined || s === null || typeof s !== 'object' || typeof s.status !== 'string' || typeof s.wake !== 'number') return undefined;
  return s as WakeSummary;
}

/** What the handlers did, or the failure that stopped the wake. */
function what(s: WakeSummary): string {
  if (s.error !== undefined) return s.status;
  const texts = s.outcomes.map((o) => o.text);
  if (texts.length === 0) return s.status.startsWith('done: ') ? s.status.substring(6) : s.status;
  const extra = s.status.startsWith('error: ') ? ` (${s.status})` : '';
  return texts.join('; ') + extra;
}

/** One timeline line for a wake; `label` names the device in a fleet. */
export function formatWakeLine(r: WakeRecord, style: TimelineStyle, label?: string): string {
  const c = style.color;
  // The device's own wake count (since its last power-on) when it said, else the simulator's.
  const n = summaryOf(r)?.wake ?? r.index;
  const head = `${paint(c, '2', hhmmss(r.startedAt))} ${label !== undefined ? `${label} ` : ''}${paint(c, '1', `wake ${n}`)} ${r.reason}`;
  if (r.end.kind === 'power-cut') return `${head}${SEP}${paint(c, '31', 'power cut')}: wake abandoned, RTC memory and clock lost, flash kept`;
  if (r.end.kind === 'watchdog') return `${head}${SEP}${paint(c, '31', `watchdog reset after ${formatDuration(r.end.afterMs)}`)}: RTC memory lost`;
  if (r.end.kind === 'crash') return `${head}${SEP}${paint(c, '31', `crash: ${r.end.message}`)}`;
  const s = summaryOf(r);
  const sleep = `sleep ${r.end.seconds} s${r.sleepRealMs !== r.end.seconds * 1000 ? ` (${formatDuration(r.sleepRealMs)} real)` : ''}`;
  if (s === undefined) return `${head}${SEP}${r.error !== undefined ? paint(c, '31', r.error) : 'no summary'}${SEP}${sleep}`;
  const time = s.time.source === 'none' ? paint(c, '33', 'no time') : `time ${s.time.source}${s.time.source !== 'rtc' || s.time.offsetMs !== 0 ? ` ${formatOffset(s.time.offsetMs)}` : ''}`;
  const version = s.shadowVersion !== undefined ? `v${s.shadowVersion}` : '–';
  const did = s.error !== undefined ? paint(c, '31', what(s)) : s.outcomes.length > 0 ? paint(c, '32', what(s)) : what(s);
  const report = s.report.sent ? `report sent (${s.report.reason})` : s.report.reason === 'nothing-to-report' ? 'report skipped' : paint(c, '33', `report pending (${s.report.reason})`);
  const backoff = s.sleep.backoff ? ` backoff ${s.sleep.attempt}` : '';
  const blinks = r.stats.blinks > 0 ? `${SEP}led ×${r.stats.blinks}` : '';
  return (
    `${head}${SEP}${time}${SEP}${version}${SEP}${did}${SEP}${report}${SEP}${sleep}${backoff}` +
    `${SEP}awake ${formatDuration(s.awakeMs)}${SEP}${formatBytes(s.bytesOut)} out ${formatBytes(s.bytesIn)} in${blinks}`
  );
}

/** The fleet's progress line. */
export function formatProgress(p: FleetSnapshot, devices: number, target: number | undefined, style: TimelineStyle): string {
  const c = style.color;
  const codes = Object.keys(p.failures).sort();
  const failures = codes.length === 0 ? paint(c, '32', 'no failures') : paint(c, '31', `failures ${codes.map((k) => `${k} ${p.failures[k]}`).join(', ')}`);
  return (
    `fleet ${devices} devices${SEP}${p.wakes}${target !== undefined ? `/${target}` : ''} wakes in ${formatDuration(p.elapsedMs)}` +
    `${SEP}${p.wakesPerSecond.toFixed(1)} wakes/s (mean ${p.meanWakesPerSecond.toFixed(1)})${SEP}${failures}` +
    `${SEP}cycle p50 ${formatDuration(p.p50Ms)} p99 ${formatDuration(p.p99Ms)}`
  );
}
