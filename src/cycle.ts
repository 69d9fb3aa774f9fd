/**
 * One wake of a dormouse device, start to finish (device.md):
 *
 * restore (RTC memory, flash; corrupt records reset) → network up → time (trusted RTC, else
 * SNTP; every HTTP `Date` corrects the clock; a 403 with the server's `Date` sets it and retries
 * once) → GET shadow (404: no shadow yet) → validate and dispatch → POST reported when needed →
 * persist → network down. Resolves with a {@link WakeSummary} naming how long to sleep; it never
 * rejects except for a power cut (`EPOWER`), which must stop everything. Sleeping is the caller's
 * last step (`firmware/app.ts`).
 */
import type { Hal, WakeReason } from '../hal/hal.js';
import { backoffSleep, countsAsFailure, unitRandom } from './backoff.js';
import { afterSync, afterVerify, clockTrusted, DATE_SET_ERROR_MS, dateOffset } from './clock-trust.js';
import { Deadline } from './deadline.js';
import { dispatch, isPowerCut, recoverIntent, type DispatchContext, type DispatchResult, type WorkingState } from './dispatch.js';
import { DormouseError, isErrorCode, toDormouseError, type ErrorCode } from './errors.js';
import { deepEqual, describeValue, exceedsDepth, isPlainObject, ownKeys, type JsonObject, type JsonValue } from './json.js';
import { failureItem, mergeItems, scrub, statusLine, type StatusItem } from './status.js';
import {
  copyObject, emptyState, fileIo, INTENT_FILE, parseIntentRecord, parseRtcRecord, parseStateRecord, PersistedRecord, rtcIo,
  STATE_FILE, type ClockRecord, type IntentRecord, type RtcRecord, type StateRecord,
} from './store.js';
import { baseSchema, thingKeys, validateKey, type BaseThing, type ThingKey } from './thing.js';
import { resolveWakeOptions, type WakeOptions } from './wake-options.js';
import { failureFacts, type CloudPort, type CloudReply, type ShadowDocumentLike, type TimePort } from './wake-ports.js';
import { formatSummary, type KeyOutcome, type ReportReason, type TimeSource, type WakeSummary } from './wake-summary.js';

/** What one wake needs. */
export interface WakeDeps {
  readonly hal: Hal;
  readonly thing: BaseThing;
  readonly cloud: CloudPort;
  readonly time: TimePort;
  readonly options?: Partial<WakeOptions>;
  /** Strings that must never appear in a status line or log (secret key, session token). */
  readonly secrets?: readonly string[];
}

/** Runs one wake; see the file comment. */
export function runWake(deps: WakeDeps): Promise<WakeSummary> {
  return new WakeRun(deps.hal, resolveWakeOptions(deps.options), deps.secrets || []).run(deps.thing, deps.cloud, deps.time);
}

/**
 * A wake that could not start (no usable config, no thing): records the failure, counts it for
 * the backoff and returns the summary with the sleep to take. Never touches the network.
 * Throws only a power cut.
 */
export function failedWake(hal: Hal, error: unknown, options?: Partial<WakeOptions>, secrets?: readonly string[]): WakeSummary {
  return new WakeRun(hal, resolveWakeOptions(options), secrets || []).fail(error);
}

interface MutableRtc {
  wakes: number;
  backoff: number;
  clock?: ClockRecord;
}

interface MutableState extends WorkingState {
  pending: boolean;
  lastStatus?: string;
  lastReportAt?: number;
}

function toMutableState(s: StateRecord): MutableState {
  const out: MutableState = {
    current: copyObject(s.current),
    applied: copyObject(s.applied as JsonObject) as Record<string, number>,
    rejected: copyObject(s.rejected as JsonObject) as Record<string, string>,
    ignored: s.ignored.slice(0),
    pending: s.pending,
    unreported: s.unreported.slice(0),
  };
  if (s.lastStatus !== undefined) out.lastStatus = s.lastStatus;
  if (s.lastReportAt !== undefined) out.lastReportAt = s.lastReportAt;
  return out;
}

function toStateRecord(s: MutableState): StateRecord {
  const out: {
    current: JsonObject; applied: Record<string, number>; pending: boolean; unreported: StatusItem[]; rejected: Record<string, string>; ignored: string[];
    lastStatus?: string; lastReportAt?: number;
  } = { current: s.current, applied: s.applied, pending: s.pending, unreported: s.unreported, rejected: s.rejected, ignored: s.ignored };
  if (s.lastStatus !== undefined) out.lastStatus = s.lastStatus;
  if (s.lastReportAt !== undefined) out.lastReportAt = s.lastReportAt;
  return out;
}

function toRtcRecord(r: MutableRtc): RtcRecord {
  return r.clock ? { wakes: r.wakes, backoff: r.backoff, clock: r.clock } : { wakes: r.wakes, backoff: r.backoff };
}

/** The state of one wake in progress. */
class WakeRun {
  private readonly hal: Hal;
  private readonly o: WakeOptions;
  private readonly secrets: readonly string[];
  private readonly deadline: Deadline;
  private readonly startUptime: number;
  private readonly rtcStore: PersistedRecord<RtcRecord>;
  private readonly stateStore: PersistedRecord<StateRecord>;
  private readonly intentStore: PersistedRecord<IntentRecord>;
  private reason: WakeReason = 'unknown';
  private rtc: MutableRtc = { wakes: 0, backoff: 0 };
  private st: MutableState = toMutableState(emptyState());
  private intent: IntentRecord | undefined;
  private readonly items: StatusItem[] = [];
  private readonly outcomes: KeyOutcome[] = [];
  private timeSource: TimeSource = 'none';
  private offsetMs = 0;
  private bytesOut = 0;
  private bytesIn = 0;
  private shadowVersion: number | undefined;
  private rssi: number | undefined;
  private fatal: ErrorCode | undefined;
  private mustReport = false;
  /** The items the report of this wake carried (or tried to), once it was composed. */
  private reportItems: StatusItem[] | undefined;
  private report: { sent: boolean; reason: ReportReason } = { sent: false, reason: 'nothing-to-report' };

  constructor(hal: Hal, o: WakeOptions, secrets: readonly string[]) {
    this.hal = hal;
    this.o = o;
    this.secrets = secrets;
    this.startUptime = hal.clock.uptime();
    this.deadline = new Deadline(hal.clock, o.budgetMs);
    const utf8 = (t: string) => hal.crypto.utf8(t);
    this.rtcStore = new PersistedRecord(rtcIo(hal.rtc), utf8, parseRtcRecord);
    this.stateStore = new PersistedRecord(fileIo(hal.storage, STATE_FILE), utf8, parseStateRecord);
    this.intentStore = new PersistedRecord(fileIo(hal.storage, INTENT_FILE), utf8, parseIntentRecord);
  }

  // ---------------------------------------------------------------------------------------------
  // The wake

  async run(thing: BaseThing, cloud: CloudPort, time: TimePort): Promise<WakeSummary> {
    this.restore();
    const keys = thingKeys(thing, this.o);
    this.sanitizeCurrent(thing, keys);
    try {
      await this.netUp();
      await this.syncTime(time);
      const doc = await this.fetchShadow(cloud);
      const result = await this.dispatch(thing, keys, doc);
      if (result.budgetExpired) throw this.deadline.expiredError('the handlers');
      await this.reportIfNeeded(cloud, doc);
    } catch (e) {
      if (isPowerCut(e)) throw e;
      this.failWith(e);
    }
    const summary = this.finish();
    await this.netDown();
    return summary;
  }

  fail(error: unknown): WakeSummary {
    if (isPowerCut(error)) throw error;
    this.restore();
    this.failWith(error);
    return this.finish();
  }

  private failWith(e: unknown): void {
    const f = toDormouseError(e);
    this.fatal = f.code;
    this.items.push(failureItem(f.code, f.message));
    this.log('warn', `${f.code}: ${f.message}`);
  }

  // ---------------------------------------------------------------------------------------------
  // Restore and persist

  private load<T>(store: PersistedRecord<T>, what: string, corrupt: string[]): T | undefined {
    let loaded;
    try {
      loaded = store.load();
    } catch (e) {
      if (isPowerCut(e)) throw e;
      const f = toDormouseError(e);
      this.items.push(failureItem(f.code, `${what} could not be read: ${f.message}`));
      return undefined;
    }
    if (loaded.outcome === 'corrupt') {
      corrupt.push(what);
      this.log('warn', `ECORRUPT: ${what} reset`);
    }
    return loaded.value;
  }

  private restore(): void {
    try {
      this.reason = this.hal.power.wakeReason();
    } catch (e) {
      if (isPowerCut(e)) throw e;
      this.reason = 'unknown';
    }
    const corrupt: string[] = [];
    const rtc = this.load(this.rtcStore, 'RTC record', corrupt);
    this.rtc = rtc ? { wakes: rtc.wakes, backoff: rtc.backoff } : { wakes: 0, backoff: 0 };
    if (rtc && rtc.clock) this.rtc.clock = rtc.clock;
    this.rtc.wakes = this.rtc.wakes + 1;
    const st = this.load(this.stateStore, 'state record', corrupt);
    this.st = toMutableState(st || emptyState());
    this.intent = this.load(this.intentStore, 'intent record', corrupt);
    if (corrupt.length > 0) this.resetCorrupt(corrupt);
  }

  /**
   * A record that failed its checksum is replaced at once (the reset state, the intent record
   * removed), and what happened is kept among the unreported items in that same state write: it
   * is reported once, even if this wake dies before its report.
   */
  private resetCorrupt(corrupt: readonly string[]): void {
    const items: StatusItem[] = [];
    for (let i = 0; i < corrupt.length; i++) items.push(failureItem('ECORRUPT', `${corrupt[i]} failed its checksum and was reset`));
    this.st.unreported = mergeItems(items, this.st.unreported);
    try {
      this.saveState();
      if (corrupt.indexOf('intent record') >= 0) this.intentStore.clear();
    } catch (e) {
      if (isPowerCut(e)) throw e;
      const f = toDormouseError(e);
      this.items.push(failureItem(f.code, `state record could not be written: ${f.message}`));
    }
  }

  /** Drops current values the thing no longer accepts (firmware changed), so they are re-applied. */
  private sanitizeCurrent(thing: BaseThing, keys: readonly ThingKey[]): void {
    const cur: JsonObject = {};
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as ThingKey;
      if (!Object.prototype.hasOwnProperty.call(this.st.current, k.key)) continue;
      const v = this.st.current[k.key];
      if (validateKey(thing, k, v).ok) cur[k.key] = v as JsonValue;
    }
    this.st.current = cur;
  }

  private saveState(): void {
    this.stateStore.save(toStateRecord(this.st));
  }

  private persistAll(): void {
    try {
      this.rtcStore.save(toRtcRecord(this.rtc));
    } catch (e) {
      if (isPowerCut(e)) throw e;
      this.items.push(failureItem(toDormouseError(e).code, `RTC record could not be written: ${toDormouseError(e).message}`));
    }
    try {
      this.saveState();
    } catch (e) {
      if (isPowerCut(e)) throw e;
      const f = toDormouseError(e);
      this.items.push(failureItem(f.code, `state record could not be written: ${f.message}`));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Network and time

  private async netUp(): Promise<void> {
    try {
      const info = await this.deadline.run(() => this.hal.net.up(this.deadline.cap(this.o.netTimeoutMs)), 'network up');
      if (info && typeof info.rssi === 'number' && isFinite(info.rssi)) this.rssi = info.rssi;
    } catch (e) {
      if (isPowerCut(e)) throw e;
      const f = toDormouseError(e);
      throw f.code === 'EINTERNAL' ? new DormouseError('ENET', f.message) : f;
    }
  }

  private async netDown(): Promise<void> {
    try {
      this.hal.http.close();
    } catch (e) {
      if (isPowerCut(e)) throw e;
    }
    await new Promise<void>((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        resolve();
      };
      const cancel = this.hal.clock.setTimer(2000, finish);
      let p: Promise<void>;
      try {
        p = Promise.resolve(this.hal.net.down());
      } catch (e) {
        p = Promise.reject(e);
      }
      p.then(() => { cancel(); finish(); }, () => { cancel(); finish(); });
    });
  }

  private async syncTime(time: TimePort): Promise<void> {
    const clock = this.hal.clock;
    const since = clock.trustedSince();
    if (clockTrusted(this.rtc.clock, clock.now(), since, this.o)) {
      this.timeSource = 'rtc';
      return;
    }
    try {
      const r = await this.deadline.run(() => time.sync(), 'SNTP');
      if (typeof r.offsetMs !== 'number' || !isFinite(r.offsetMs)) throw new DormouseError('ETIME', `SNTP: expected an offset in ms, got ${describeValue(r.offsetMs)}`);
      this.count(r);
      const before = clock.now();
      const offset = Math.round(r.offsetMs);
      clock.set(before + offset);
      const rtt = typeof r.roundTripMs === 'number' && isFinite(r.roundTripMs) && r.roundTripMs >= 0 ? r.roundTripMs : 1000;
      this.rtc.clock = afterSync(this.rtc.clock, before, offset, Math.ceil(rtt / 2) + 50, since, this.o);
      this.timeSource = 'sntp';
      this.offsetMs += offset;
    } catch (e) {
      if (isPowerCut(e)) throw e;
      const f = toDormouseError(e);
      if (f.code === 'EBUDGET') throw f;
      // Not fatal: the cloud's Date header may still set the clock (403 retry below).
      this.items.push(failureItem('ETIME', f.code === 'ETIME' ? f.message : `SNTP failed: ${f.code}: ${f.message}`));
      this.log('warn', `ETIME: ${f.message}`);
    }
  }

  /** Sets the clock from a server `Date` (epoch ms, 1 s resolution). */
  private setFromDate(date: number): void {
    const clock = this.hal.clock;
    const before = clock.now();
    const since = clock.trustedSince();
    const d = dateOffset(date, before, this.o);
    const offset = Math.round(d.offsetMs !== 0 || since === undefined ? d.diffMs : 0);
    if (offset === 0 && since !== undefined) {
      this.rtc.clock = afterVerify(this.rtc.clock, before, d.diffMs);
      return;
    }
    clock.set(before + offset);
    this.rtc.clock = afterSync(this.rtc.clock, before, offset, DATE_SET_ERROR_MS, since, this.o);
    this.timeSource = 'http-date';
    this.offsetMs += offset;
    this.log('info', `clock set from HTTP Date (${offset} ms)`);
  }

  private count(r: { bytesOut?: number; bytesIn?: number }): void {
    if (typeof r.bytesOut === 'number' && isFinite(r.bytesOut)) this.bytesOut += r.bytesOut;
    if (typeof r.bytesIn === 'number' && isFinite(r.bytesIn)) this.bytesIn += r.bytesIn;
  }

  /**
   * One cloud request within the budget. Every `Date` it returns checks the clock. A 401/403
   * carrying a `Date` that shows the clock off (e.g. `Signature expired`) sets the clock and
   * retries once.
   */
  private async cloudCall<T extends CloudReply>(fn: () => Promise<T>, what: string): Promise<T> {
    let retried = false;
    for (;;) {
      try {
        const r = await this.deadline.run(fn, retried ? `${what} (retry)` : what);
        this.afterReply(r);
        return r;
      } catch (e) {
        if (isPowerCut(e)) throw e;
        const facts = failureFacts(e);
        if (!retried && facts.code === 'EAUTH' && facts.date !== undefined && dateOffset(facts.date, this.hal.clock.now(), this.o).offsetMs !== 0) {
          retried = true;
          this.log('info', `${what}: refused with the clock off; setting it from the server's Date and retrying once`);
          this.setFromDate(facts.date);
          continue;
        }
        throw this.cloudError(e, what);
      }
    }
  }

  private afterReply(r: CloudReply): void {
    this.count(r);
    if (typeof r.date === 'number' && isFinite(r.date) && r.date > 0) this.setFromDate(r.date);
  }

  /** The error to throw for a failed cloud call: as it came when it has a known code (keeps `status`). */
  private cloudError(e: unknown, what: string): unknown {
    const facts = failureFacts(e);
    if (isErrorCode(facts.code)) return e;
    const f = toDormouseError(e);
    return new DormouseError(facts.status === 401 || facts.status === 403 ? 'EAUTH' : 'ECLOUD', `${what}: ${f.message}`);
  }

  // ---------------------------------------------------------------------------------------------
  // Shadow

  private async fetchShadow(cloud: CloudPort): Promise<ShadowDocumentLike> {
    try {
      const r = await this.cloudCall(() => cloud.getShadow(), 'GET shadow');
      const doc = r.doc;
      if (!isPlainObject(doc)) throw new DormouseError('EBADDOC', `GET shadow: expected a shadow document, got ${describeValue(doc)}`);
      if (exceedsDepth(doc, this.o.maxDocumentDepth)) {
        throw new DormouseError('EBADDOC', `GET shadow: expected a document nested at most ${this.o.maxDocumentDepth} levels, got a deeper one`);
      }
      const v = (doc as ShadowDocumentLike).version;
      if (typeof v === 'number' && isFinite(v)) this.shadowVersion = v;
      return doc as ShadowDocumentLike;
    } catch (e) {
      if (isPowerCut(e)) throw e;
      if (failureFacts(e).status === 404) {
        this.log('info', 'no shadow yet');
        return {};
      }
      throw e;
    }
  }

  private async dispatch(thing: BaseThing, keys: readonly ThingKey[], doc: ShadowDocumentLike): Promise<DispatchResult> {
    const state = isPlainObject(doc.state) ? (doc.state as JsonObject) : {};
    let desired: JsonObject = {};
    if (isPlainObject(state.desired)) desired = state.desired;
    else if (state.desired !== undefined && state.desired !== null) {
      this.items.push(failureItem('EBADDOC', `shadow: desired: expected an object, got ${describeValue(state.desired)}`));
    }
    const meta = isPlainObject(doc.metadata) ? (doc.metadata as JsonObject).desired : undefined;
    thing.beginWake(this.deadline.at, this.o.reportReserveMs);
    const ctx: DispatchContext = {
      thing,
      keys,
      state: this.st,
      intent: this.intentStore,
      persist: () => this.saveState(),
      deadline: this.deadline,
      utf8: (t) => this.hal.crypto.utf8(t),
      wakeReason: this.reason,
    };
    const out: DispatchResult = { outcomes: this.outcomes, items: this.items, budgetExpired: false };
    if (this.intent) {
      recoverIntent(ctx, this.intent, out);
      this.intent = undefined;
    }
    const result = await dispatch(ctx, desired, meta, this.shadowVersion, out);
    if (result.outcomes.length > 0) this.mustReport = true;
    return result;
  }

  private deviceInfo(): JsonObject {
    const d: JsonObject = { fw: this.o.fwVersion, wakes: this.rtc.wakes, reset: this.reason };
    try {
      const m = this.hal.device.memory();
      if (m && typeof m.free === 'number' && isFinite(m.free)) d.mem = m.free;
    } catch (e) {
      if (isPowerCut(e)) throw e;
    }
    if (this.rssi !== undefined) d.rssi = this.rssi;
    try {
      const b = this.hal.power.batteryVolts();
      if (typeof b === 'number' && isFinite(b)) d.battery = Math.round(b * 100) / 100;
    } catch (e) {
      if (isPowerCut(e)) throw e;
    }
    return d;
  }

  private reportedDiffers(doc: ShadowDocumentLike): boolean {
    const state = isPlainObject(doc.state) ? (doc.state as JsonObject) : {};
    const reported = state.reported;
    if (!isPlainObject(reported)) return true;
    const keys = ownKeys(this.st.current);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      if (!Object.prototype.hasOwnProperty.call(reported, k) || !deepEqual(this.st.current[k], reported[k])) return true;
    }
    return !Object.prototype.hasOwnProperty.call(reported, 'status');
  }

  private heartbeatDue(): boolean {
    const last = this.st.lastReportAt;
    if (last === undefined) return true;
    const now = this.hal.clock.now();
    return now < last || now - last >= this.o.heartbeatSeconds * 1000;
  }

  private async reportIfNeeded(cloud: CloudPort, doc: ShadowDocumentLike): Promise<void> {
    const all = this.allItems();
    const statusNow = statusLine(all, this.o.statusMaxChars, this.secrets);
    const statusChanged = this.items.length > 0 && statusNow !== this.st.lastStatus;
    let reason: ReportReason;
    if (this.mustReport || statusChanged) reason = 'changed';
    else if (this.st.pending || this.st.unreported.length > 0) reason = 'pending';
    else if (this.reportedDiffers(doc)) reason = 'changed';
    else if (this.heartbeatDue()) reason = 'heartbeat';
    else reason = 'nothing-to-report';
    this.report = { sent: false, reason };
    if (reason === 'nothing-to-report') return;
    this.mustReport = true;

    const body: JsonObject = copyObject(this.st.current);
    let status: string | undefined;
    if (all.length > 0 || reason === 'changed') status = statusNow;
    this.reportItems = this.items.slice(0);
    if (status !== undefined) body.status = status;
    body.device = this.deviceInfo();

    await this.cloudCall(() => cloud.report(body), 'POST reported');
    this.report = { sent: true, reason };
    this.mustReport = false;
    this.st.pending = false;
    if (status !== undefined) this.st.lastStatus = status;
    this.st.lastReportAt = this.hal.clock.now();
  }

  // ---------------------------------------------------------------------------------------------
  // End of the wake

  /** This wake's status items, then those earlier wakes could not report (each once). */
  private allItems(): StatusItem[] {
    return mergeItems(this.items, this.st.unreported);
  }

  private sleepBase(): number {
    const spec = baseSchema(this.o).sleep;
    const v = this.st.current.sleep;
    if (spec && spec.type === 'integer' && typeof v === 'number' && isFinite(v) && Math.floor(v) === v &&
      v >= (spec.min as number) && v <= (spec.max as number)) return v;
    return this.o.sleepSeconds;
  }

  private finish(): WakeSummary {
    const failed = this.fatal !== undefined && countsAsFailure(this.fatal);
    this.rtc.backoff = failed ? this.rtc.backoff + 1 : 0;
    const base = this.sleepBase();
    let seconds = base;
    if (failed) {
      let random = 0;
      try {
        random = unitRandom(this.hal.crypto.random(2));
      } catch (e) {
        if (isPowerCut(e)) throw e;
      }
      seconds = backoffSleep({ baseSeconds: base, attempt: this.rtc.backoff, maxSeconds: this.o.sleepMaxSeconds, jitter: this.o.backoffJitter, random });
    }
    // Items of earlier wakes went out with this report: forget them (in the same state write).
    const delivered = this.report.sent ? this.st.unreported : [];
    if (this.report.sent) this.st.unreported = [];
    if (!this.report.sent && this.mustReport) {
      // Carry what the report was to say; its own failure is this wake's news, not the next one's.
      this.st.pending = true;
      this.st.unreported = mergeItems(this.reportItems !== undefined ? this.reportItems : this.items, this.st.unreported);
      if (this.report.reason === 'nothing-to-report') this.report = { sent: false, reason: 'changed' };
    }
    if (!this.report.sent && this.report.reason === 'nothing-to-report' && (this.st.pending || this.st.unreported.length > 0)) {
      this.report = { sent: false, reason: 'pending' };
    }
    this.persistAll();
    const status = statusLine(mergeItems(this.items, delivered.concat(this.st.unreported)), this.o.statusMaxChars, this.secrets);
    const summary: {
      -readonly [K in keyof WakeSummary]: WakeSummary[K];
    } = {
      wake: this.rtc.wakes,
      reason: this.reason,
      time: { source: this.timeSource, offsetMs: this.offsetMs },
      outcomes: this.outcomes.slice(0),
      report: this.report,
      sleep: { seconds, backoff: failed, attempt: this.rtc.backoff },
      awakeMs: this.hal.clock.uptime() - this.startUptime,
      bytesOut: this.bytesOut,
      bytesIn: this.bytesIn,
      status,
    };
    if (this.shadowVersion !== undefined) summary.shadowVersion = this.shadowVersion;
    if (this.fatal !== undefined) summary.error = this.fatal;
    this.log(summary.error ? 'warn' : 'info', formatSummary(summary));
    return summary;
  }

  private log(level: 'info' | 'warn', message: string): void {
    try {
      this.hal.log.write(level, scrub(message, this.secrets));
    } catch (e) {
      if (isPowerCut(e)) throw e;
    }
  }
}
