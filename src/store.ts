/**
 * Persisted records of the device: what survives a deep sleep (RTC memory) and what survives a
 * power loss (flash). Each record is written with a format version and a CRC-32, so a damaged
 * record is detected and reset instead of steering the device; and it is written only when its
 * contents changed, to spare flash.
 *
 * Wire form of a record: `dm1 <crc32 hex of the JSON> <JSON>`.
 */
import type { Rtc, Storage } from '../hal/hal.js';
import { crc32Hex } from './checksum.js';
import type { StatusItem } from './status.js';
import { isPlainObject, ownKeys, type JsonObject, type JsonValue } from './json.js';

/** Format tag of every record; bump when a record's shape changes incompatibly. */
export const RECORD_FORMAT = 'dm1';

/** Flash file holding the {@link StateRecord}. */
export const STATE_FILE = 'dormouse.state';
/** Flash file holding the {@link IntentRecord} (small, written right before a handler runs). */
export const INTENT_FILE = 'dormouse.intent';

/** How loading a record went. */
export type LoadOutcome = 'ok' | 'missing' | 'corrupt';

/** A loaded record: its value when `outcome` is `ok`. */
export interface Loaded<T> {
  readonly outcome: LoadOutcome;
  readonly value?: T;
}

/** Reads and writes one record's text (a flash file, or RTC memory). */
export interface RecordIo {
  read(): string | undefined;
  write(text: string): void;
  remove(): void;
}

/** Encodes text to the bytes the checksum covers (the HAL's `crypto.utf8`). */
export type Utf8 = (text: string) => Uint8Array;

/** Keys that must never be copied from data onto an object. */
export function isSafeKey(k: string): boolean {
  return k !== '__proto__' && k !== 'constructor' && k !== 'prototype';
}

/** The record text for `data`. */
export function encodeRecord(utf8: Utf8, data: JsonValue): string {
  const json = JSON.stringify(data);
  return `${RECORD_FORMAT} ${crc32Hex(utf8(json))} ${json}`;
}

/** Parses record text: `missing` for no text, `corrupt` for a wrong tag, checksum or JSON. */
export function decodeRecord(utf8: Utf8, text: string | undefined): { readonly outcome: LoadOutcome; readonly data?: unknown } {
  if (text === undefined || text === '') return { outcome: 'missing' };
  if (typeof text !== 'string' || text.substring(0, 4) !== `${RECORD_FORMAT} ` || text.charAt(12) !== ' ') return { outcome: 'corrupt' };
  const crc = text.substring(4, 12);
  const json = text.substring(13);
  if (crc32Hex(utf8(json)) !== crc) return { outcome: 'corrupt' };
  try {
    return { outcome: 'ok', data: JSON.parse(json) };
  } catch (_e) {
    return { outcome: 'corrupt' };
  }
}

/**
 * One persisted record. `load` validates the shape after the checksum (Espruino's JSON.parse is
 * lenient); `save` writes only when the encoded text differs from what was last read or written.
 */
export class PersistedRecord<T> {
  private readonly io: RecordIo;
  private readonly utf8: Utf8;
  private readonly parse: (data: unknown) => T | undefined;
  private lastText: string | undefined;

  constructor(io: RecordIo, utf8: Utf8, parse: (data: unknown) => T | undefined) {
    this.io = io;
    this.utf8 = utf8;
    this.parse = parse;
  }

  /** Reads and checks the record. */
  load(): Loaded<T> {
    const text = this.io.read();
    this.lastText = text;
    const d = decodeRecord(this.utf8, text);
    if (d.outcome !== 'ok') return { outcome: d.outcome };
    const value = this.parse(d.data);
    return value === undefined ? { outcome: 'corrupt' } : { outcome: 'ok', value };
  }

  /** Writes `value` when it differs from the stored text; returns whether it wrote. */
  save(value: T): boolean {
    const text = encodeRecord(this.utf8, value as unknown as JsonValue);
    if (text === this.lastText) return false;
    this.io.write(text);
    this.lastText = text;
    return true;
  }

  /** Removes the record (no write when it is already absent). */
  clear(): void {
    if (this.lastText === undefined) return;
    this.io.remove();
    this.lastText = undefined;
  }
}

/** A {@link RecordIo} over one flash file. */
export function fileIo(storage: Storage, name: string): RecordIo {
  return {
    read: () => storage.read(name),
    write: (text) => storage.write(name, text),
    remove: () => storage.remove(name),
  };
}

/** A {@link RecordIo} over RTC memory (removing writes an empty record). */
export function rtcIo(rtc: Rtc): RecordIo {
  return {
    read: () => rtc.read(),
    write: (text) => rtc.write(text),
    remove: () => rtc.write(''),
  };
}

// ---------------------------------------------------------------------------------------------
// Shape checks

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && isFinite(v);
}

function optNumber(o: Record<string, unknown>, k: string): number | undefined | false {
  const v = o[k];
  if (v === undefined) return undefined;
  return isFiniteNumber(v) ? v : false;
}

/** A shallow copy of a JSON object without unsafe keys. */
export function copyObject(o: JsonObject): JsonObject {
  const out: JsonObject = {};
  const keys = ownKeys(o);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (isSafeKey(k)) out[k] = o[k] as JsonValue;
  }
  return out;
}

function numberMap(v: unknown): Record<string, number> | undefined {
  if (!isPlainObject(v)) return undefined;
  const out: Record<string, number> = {};
  const keys = ownKeys(v);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const x = v[k];
    if (!isSafeKey(k)) continue;
    if (!isFiniteNumber(x)) return undefined;
    out[k] = x;
  }
  return out;
}

function stringMap(v: unknown): Record<string, string> | undefined {
  if (!isPlainObject(v)) return undefined;
  const out: Record<string, string> = {};
  const keys = ownKeys(v);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const x = v[k];
    if (!isSafeKey(k)) continue;
    if (typeof x !== 'string') return undefined;
    out[k] = x;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// RTC record: survives deep sleep, not a power loss.

/** What the device knows about its clock (see clock-trust.ts). */
export interface ClockRecord {
  /** Device time (epoch ms) when the clock was last set or verified. */
  readonly anchorAt: number;
  /** Bound on the clock's error at `anchorAt`, ms. */
  readonly anchorErrMs: number;
  /** Learned drift rate, parts per million; 0 with `samples` 0 means not learned yet. */
  readonly driftPpm: number;
  /** How many syncs the drift rate was learned from. */
  readonly samples: number;
}

/** The RTC-memory record. */
export interface RtcRecord {
  /** Wakes since the last power loss, this one included once saved. */
  readonly wakes: number;
  /** Consecutive failed wakes (drives the backoff); 0 after a good wake. */
  readonly backoff: number;
  readonly clock?: ClockRecord;
}

function parseClock(v: unknown): ClockRecord | undefined | false {
  if (v === undefined) return undefined;
  if (!isPlainObject(v)) return false;
  const { anchorAt, anchorErrMs, driftPpm, samples } = v;
  if (!isFiniteNumber(anchorAt) || !isFiniteNumber(anchorErrMs) || !isFiniteNumber(driftPpm) || !isFiniteNumber(samples)) return false;
  if (anchorErrMs < 0 || driftPpm < 0 || samples < 0) return false;
  return { anchorAt, anchorErrMs, driftPpm, samples };
}

/** Shape check of an {@link RtcRecord}. */
export function parseRtcRecord(v: unknown): RtcRecord | undefined {
  if (!isPlainObject(v)) return undefined;
  const wakes = v.wakes;
  const backoff = v.backoff;
  if (!isFiniteNumber(wakes) || wakes < 0 || !isFiniteNumber(backoff) || backoff < 0) return undefined;
  const clock = parseClock(v.clock);
  if (clock === false) return undefined;
  return clock ? { wakes, backoff, clock } : { wakes, backoff };
}

// ---------------------------------------------------------------------------------------------
// Flash state record: survives a power loss.

/** The flash record of the device's state. */
export interface StateRecord {
  /** Current state: the value of each key as this device last applied it. */
  readonly current: JsonObject;
  /** Desired metadata timestamp (epoch s) of each key as last applied (command keys re-run on newer). */
  readonly applied: Readonly<Record<string, number>>;
  /** A report is due but was not sent yet. */
  readonly pending: boolean;
  /**
   * Status items no report has carried yet (an unsent report's, an interrupted handler's, a
   * corrupt record's): kept on flash until the cloud accepts a report that holds them.
   */
  readonly unreported: readonly StatusItem[];
  /** The status line last sent to the cloud. */
  readonly lastStatus?: string;
  /** Device time (epoch ms) of the last report the cloud accepted. */
  readonly lastReportAt?: number;
  /** Rejected desired values already reported: key → `<crc of value>@<timestamp>`. */
  readonly rejected: Readonly<Record<string, string>>;
  /** Unknown desired keys already listed as ignored. */
  readonly ignored: readonly string[];
}

/** The state of a device that never ran. */
export function emptyState(): StateRecord {
  return { current: {}, applied: {}, pending: false, unreported: [], rejected: {}, ignored: [] };
}

/** Status items as stored (`[{"kind":"error","text":"…"}]`), or undefined when not that shape. */
function statusItems(v: unknown): StatusItem[] | undefined {
  if (v === undefined) return [];
  if (!(v instanceof Array)) return undefined;
  const out: StatusItem[] = [];
  for (let i = 0; i < v.length; i++) {
    const it = v[i];
    if (!isPlainObject(it) || (it.kind !== 'error' && it.kind !== 'done') || typeof it.text !== 'string') return undefined;
    out.push({ kind: it.kind, text: it.text });
  }
  return out;
}

/** Shape check of a {@link StateRecord}. */
export function parseStateRecord(v: unknown): StateRecord | undefined {
  if (!isPlainObject(v)) return undefined;
  if (!isPlainObject(v.current)) return undefined;
  const applied = numberMap(v.applied);
  const rejected = stringMap(v.rejected);
  if (!applied || !rejected || typeof v.pending !== 'boolean') return undefined;
  const ignoredRaw = v.ignored;
  if (!(ignoredRaw instanceof Array)) return undefined;
  const ignored: string[] = [];
  for (let i = 0; i < ignoredRaw.length; i++) {
    const k = ignoredRaw[i];
    if (typeof k !== 'string') return undefined;
    ignored.push(k);
  }
  const lastReportAt = optNumber(v, 'lastReportAt');
  if (lastReportAt === false) return undefined;
  const unreported = statusItems(v.unreported);
  const lastStatus = v.lastStatus;
  if (!unreported) return undefined;
  if (lastStatus !== undefined && typeof lastStatus !== 'string') return undefined;
  const out: {
    current: JsonObject; applied: Record<string, number>; pending: boolean; unreported: StatusItem[]; rejected: Record<string, string>; ignored: string[];
    lastStatus?: string; lastReportAt?: number;
  } = { current: copyObject(v.current), applied, pending: v.pending, unreported, rejected, ignored };
  if (lastStatus !== undefined) out.lastStatus = lastStatus;
  if (lastReportAt !== undefined) out.lastReportAt = lastReportAt;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Intent record: written right before a handler with side effects runs.

/** What a handler was about to apply, so a wake that died inside it is not repeated. */
export interface IntentRecord {
  readonly key: string;
  readonly value: JsonValue;
  /** Desired metadata timestamp (epoch s) of the change, when the shadow had one. */
  readonly ts?: number;
  /** Shadow version the change came with (kept for the record; our own report bumps it). */
  readonly version?: number;
}

/** Shape check of an {@link IntentRecord}. */
export function parseIntentRecord(v: unknown): IntentRecord | undefined {
  if (!isPlainObject(v) || typeof v.key !== 'string' || !Object.prototype.hasOwnProperty.call(v, 'value')) return undefined;
  const ts = optNumber(v, 'ts');
  const version = optNumber(v, 'version');
  if (ts === false || version === false) return undefined;
  const out: { key: string; value: JsonValue; ts?: number; version?: number } = { key: v.key, value: v.value as JsonValue };
  if (ts !== undefined) out.ts = ts;
  if (version !== undefined) out.version = version;
  return out;
}
