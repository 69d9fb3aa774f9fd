/**
 * One wake, seen from outside: from the runner's record, the HAL journal and the files the wake
 * left, the facts the checkers judge. Handler runs are found by their side effects (indicator
 * blinks) inside the windows the exactly-once intent record opens and closes on flash; records
 * are checked with the core's own decoders (`src/store.ts`), checksum first.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { flashEntryName, MACHINE_FILES } from '../../hal/sim/device-dir.js';
import { confirmedFaults, RTC_WRITE } from '../../hal/sim/faults/index.js';
import type { FiredFault, JournalEvent, WakeJournal } from '../../hal/sim/faults/index.js';
import type { MachineStore } from '../../hal/sim/machine-store.js';
import type { WakeRecord } from '../../hal/sim/runner.js';
import { isPlainObject } from '../../src/json.js';
import type { JsonObject } from '../../src/json.js';
import { decodeRecord, INTENT_FILE, parseIntentRecord, parseRtcRecord, parseStateRecord, STATE_FILE } from '../../src/store.js';
import type { LoadOutcome, StateRecord } from '../../src/store.js';
import { summaryOf } from '../timeline.js';
import type { Execution, Phase, PostObservation, RecordsAfter, WakeObservation } from './history.js';

const utf8 = (t: string): Uint8Array => new Uint8Array(Buffer.from(t, 'utf8'));

/** How a record text decodes with the core's decoder and shape check. */
export function recordOutcome<T>(text: string | undefined, parse: (v: unknown) => T | undefined): { outcome: LoadOutcome; value?: T } {
  const d = decodeRecord(utf8, text);
  if (d.outcome !== 'ok') return { outcome: d.outcome };
  const value = parse(d.data);
  return value === undefined ? { outcome: 'corrupt' } : { outcome: 'ok', value };
}

function readFlash(dir: string, name: string): string | undefined {
  try {
    return readFileSync(join(dir, flashEntryName(name)), 'utf8');
  } catch {
    return undefined;
  }
}

/** The records on flash and in RTC memory now, and the state record when it decodes. */
export function readRecords(dir: string, machine: MachineStore): { records: RecordsAfter; state?: StateRecord } {
  const state = recordOutcome(readFlash(dir, STATE_FILE), parseStateRecord);
  const intent = recordOutcome(readFlash(dir, INTENT_FILE), parseIntentRecord);
  const rtcJson = machine.read(MACHINE_FILES.rtc);
  const rtcText = rtcJson !== undefined && typeof rtcJson['data'] === 'string' ? rtcJson['data'] : undefined;
  const rtc = recordOutcome(rtcText, parseRtcRecord);
  const records = { state: state.outcome, intent: intent.outcome, rtc: rtc.outcome };
  return state.value !== undefined ? { records, state: state.value } : { records };
}

/** Handler runs and stray blinks from the journal's flash writes and indicator switches. */
export function executionsOf(events: readonly JournalEvent[]): { executions: Execution[]; strayBlinks: number } {
  const out: Execution[] = [];
  let open: { key: string; value: Execution['value']; ts?: number; blinks: number } | undefined;
  let stray = 0;
  const close = (completed: boolean): void => {
    if (open === undefined) return;
    out.push({ key: open.key, value: open.value, ...(open.ts !== undefined ? { ts: open.ts } : {}), blinks: open.blinks, completed });
    open = undefined;
  };
  for (const e of events) {
    if (e.type === 'write' && e.ok && e.name === INTENT_FILE) {
      close(true);
      const rec = recordOutcome(e.data, parseIntentRecord);
      if (rec.value !== undefined) open = { key: rec.value.key, value: rec.value.value, ...(rec.value.ts !== undefined ? { ts: rec.value.ts } : {}), blinks: 0 };
    } else if (e.type === 'remove' && e.ok && e.name === INTENT_FILE) {
      close(true);
    } else if (e.type === 'led' && e.on) {
      if (open !== undefined) open.blinks++;
      else stray++;
    }
  }
  close(false);
  return { executions: out, strayBlinks: stray };
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The POSTs of the journal: what was sent, how it was answered. */
export function postsOf(events: readonly JournalEvent[]): PostObservation[] {
  const out: PostObservation[] = [];
  for (const e of events) {
    if (e.type !== 'http' || e.method !== 'POST') continue;
    const req = parseJson(e.body);
    const state = isPlainObject(req) ? (req as JsonObject)['state'] : undefined;
    const reported = isPlainObject(state) ? (state as JsonObject)['reported'] : undefined;
    const res = parseJson(e.response);
    const version = isPlainObject(res) && typeof (res as JsonObject)['version'] === 'number' ? ((res as JsonObject)['version'] as number) : undefined;
    out.push({
      ...(e.status !== undefined ? { status: e.status } : {}),
      ...(e.error !== undefined ? { error: e.error } : {}),
      ...(version !== undefined ? { version } : {}),
      ...(isPlainObject(reported) ? { reported: reported as JsonObject } : {}),
    });
  }
  return out;
}

/** Records this wake wrote successfully. */
function rewrites(events: readonly JournalEvent[]): ('state' | 'intent' | 'rtc')[] {
  const out: ('state' | 'intent' | 'rtc')[] = [];
  const add = (k: 'state' | 'intent' | 'rtc'): void => {
    if (out.indexOf(k) < 0) out.push(k);
  };
  for (const e of events) {
    if (e.type === 'write' && e.ok && e.name === STATE_FILE) add('state');
    if ((e.type === 'write' || e.type === 'remove') && e.ok && e.name === INTENT_FILE) add('intent');
    if (e.type === 'write' && e.ok && e.name === RTC_WRITE) add('rtc');
  }
  return out;
}

/** What the checkers need of one wake. */
export interface ObserveInput {
  readonly device: number;
  readonly episode: number;
  readonly phase: Phase;
  readonly record: WakeRecord;
  readonly journal: WakeJournal | undefined;
  readonly before: readonly FiredFault[];
  readonly dir: string;
  readonly machine: MachineStore;
  readonly reported?: JsonObject;
  /** True for the ids of cloud faults that reached the cloud (asked-for faults strike only then). */
  readonly arrived: (id: string) => boolean;
}

/** Build the observation of a wake. */
export function observeWake(i: ObserveInput): WakeObservation {
  const events = i.journal?.events ?? [];
  const { executions, strayBlinks } = executionsOf(events);
  let cutAt: string | undefined;
  for (const e of events) if (e.type === 'cut') cutAt = e.at;
  const { records, state } = readRecords(i.dir, i.machine);
  const r = i.record;
  // Only what looks like a wake summary is one (a broken firmware may resolve with anything).
  // Copied out of the wake's context: holding an object of it would keep the whole context alive.
  const found = summaryOf(r);
  const summary = found === undefined ? undefined : (JSON.parse(JSON.stringify(found)) as typeof found);
  return {
    device: i.device,
    wake: r.index,
    episode: i.episode,
    phase: i.phase,
    reason: r.reason,
    end: r.end,
    cycleMs: r.cycleMs,
    ...(summary !== undefined ? { summary } : {}),
    ...(r.error !== undefined ? { error: r.error } : {}),
    fired: i.journal !== undefined ? confirmedFaults(i.journal, i.arrived) : [],
    before: i.before,
    executions,
    strayBlinks,
    posts: postsOf(events),
    rewrote: rewrites(events),
    ...(cutAt !== undefined ? { cutAt } : {}),
    records,
    ...(state !== undefined ? { state } : {}),
    ...(i.reported !== undefined ? { reported: i.reported } : {}),
  };
}
