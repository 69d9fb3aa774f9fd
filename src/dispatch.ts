/**
 * Dispatch: from a validated desired document to handler calls, key by key, in the thing's
 * order, exactly once. The rules (device.md):
 * - a key runs when its desired value differs from the current one (deep equality), or, for a
 *   command key, when its desired metadata timestamp is newer than the one last applied;
 *   `test` also runs when `test_param` changed (and `test` is not `none`);
 * - invalid values keep the current value and are reported once per desired change; a handler
 *   that threw is not retried until the desired value changes again;
 * - before a handler with side effects runs, an intent record is persisted; a wake that finds one
 *   does not run that change again but reports it interrupted;
 * - unknown desired keys are listed once.
 */
import type { WakeReason } from '../hal/hal.js';
import { crc32Hex } from './checksum.js';
import type { Deadline } from './deadline.js';
import { toDormouseError } from './errors.js';
import { deepEqual, describeValue, isPlainObject, ownKeys, type JsonObject, type JsonValue } from './json.js';
import { mergeItems, showsCode, type StatusItem } from './status.js';
import { isSafeKey, type IntentRecord, type PersistedRecord, type Utf8 } from './store.js';
import { handlerFor, NO_TEST, resultText, runTest, validateKey, type BaseThing, type ThingKey } from './thing.js';
import type { KeyOutcome } from './wake-summary.js';

/** The parts of the persisted state dispatch reads and changes. */
export interface WorkingState {
  current: JsonObject;
  /** Status items not yet carried by an accepted report (see `StateRecord.unreported`). */
  unreported: StatusItem[];
  applied: Record<string, number>;
  rejected: Record<string, string>;
  ignored: string[];
}

/** Everything dispatch needs. */
export interface DispatchContext {
  readonly thing: BaseThing;
  readonly keys: readonly ThingKey[];
  readonly state: WorkingState;
  readonly intent: PersistedRecord<IntentRecord>;
  /** Saves the state record (writes only when it changed). */
  readonly persist: () => void;
  readonly deadline: Deadline;
  readonly utf8: Utf8;
  readonly wakeReason: WakeReason;
}

/** What dispatch did. */
export interface DispatchResult {
  readonly outcomes: KeyOutcome[];
  readonly items: StatusItem[];
  /** The budget ran out in (or before) a handler; the remaining keys wait for the next wake. */
  readonly budgetExpired: boolean;
}

/** Most unknown keys remembered as already listed. */
export const IGNORED_KEYS_MAX = 32;
/** Most unknown keys named in one status line. */
const IGNORED_NAMED_MAX = 5;

/** True for the HAL's power-cut failure, which must propagate untouched. */
export function isPowerCut(e: unknown): boolean {
  return e !== null && typeof e === 'object' && (e as { code?: unknown }).code === 'EPOWER';
}

/** A key name safe to show and store: printable ASCII, at most 32 characters. */
export function displayKey(k: string): string {
  let out = '';
  const n = k.length > 32 ? 29 : k.length;
  for (let i = 0; i < n; i++) {
    const c = k.charCodeAt(i);
    out += c >= 32 && c <= 126 ? k.charAt(i) : '?';
  }
  return k.length > 32 ? `${out}...` : out;
}

/** The desired metadata timestamp (epoch s) of `key`: its `timestamp`, or the newest leaf below it. */
export function metaTimestamp(meta: unknown, key: string): number | undefined {
  if (!isPlainObject(meta) || !Object.prototype.hasOwnProperty.call(meta, key)) return undefined;
  return newestLeaf(meta[key], 0);
}

function newestLeaf(node: unknown, depth: number): number | undefined {
  if (!isPlainObject(node) || depth > 8) return undefined;
  const ts = node.timestamp;
  if (typeof ts === 'number' && isFinite(ts)) return ts;
  let best: number | undefined;
  const keys = ownKeys(node);
  for (let i = 0; i < keys.length; i++) {
    const t = newestLeaf(node[keys[i] as string], depth + 1);
    if (t !== undefined && (best === undefined || t > best)) best = t;
  }
  return best;
}

function labelOf(key: string, value: JsonValue | undefined): string {
  return key === 'test' && typeof value === 'string' && value !== NO_TEST ? `test ${value}` : key;
}

function interruptionCause(reason: WakeReason): string {
  if (reason === 'watchdog') return 'watchdog reset';
  if (reason === 'reset') return 'reset';
  return 'power loss';
}

/**
 * Settles the intent record a previous wake left behind: the change it names counts as applied
 * (it may have half-happened; running it again could repeat a side effect) and is reported as
 * interrupted. The record is then removed.
 */
export function recoverIntent(ctx: DispatchContext, rec: IntentRecord, out: DispatchResult): void {
  const st = ctx.state;
  let label = rec.key;
  let k: ThingKey | undefined;
  for (let i = 0; i < ctx.keys.length; i++) if ((ctx.keys[i] as ThingKey).key === rec.key) k = ctx.keys[i];
  if (k) {
    let value: unknown = rec.value;
    if (k.key === 'test' && isPlainObject(rec.value)) {
      value = rec.value.name;
      const param = rec.value.param;
      if (typeof param === 'number' && isFinite(param)) st.current.test_param = param;
    }
    if (validateKey(ctx.thing, k, value).ok) {
      st.current[k.key] = value as JsonValue;
      if (rec.ts !== undefined) st.applied[k.key] = rec.ts;
      delete st.rejected[k.key];
      label = labelOf(k.key, value as JsonValue);
    }
  }
  const text = `${label} interrupted (${interruptionCause(ctx.wakeReason)})`;
  out.outcomes.push({ key: displayKey(rec.key), action: 'interrupted', text });
  // Written with the state, before the intent record goes: a second power cut before the report
  // must not lose the interruption (the next wake reports it from flash).
  st.unreported = mergeItems([{ kind: 'error', text }], st.unreported);
  ctx.persist();
  ctx.intent.clear();
}

/** Lists unknown desired keys not listed before, and remembers them. */
function noteUnknownKeys(ctx: DispatchContext, desired: JsonObject, out: DispatchResult): void {
  const known: string[] = [];
  for (let i = 0; i < ctx.keys.length; i++) known.push((ctx.keys[i] as ThingKey).key);
  const present: string[] = [];
  const keys = ownKeys(desired);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (known.indexOf(k) >= 0) continue;
    const d = displayKey(k);
    if (present.indexOf(d) < 0) present.push(d);
  }
  const before = ctx.state.ignored;
  const full = before.length >= IGNORED_KEYS_MAX;
  const kept: string[] = [];
  const fresh: string[] = [];
  for (let i = 0; i < present.length; i++) {
    const d = present[i] as string;
    if (before.indexOf(d) >= 0) kept.push(d);
    else if (!full) fresh.push(d);
  }
  const next = kept.concat(fresh);
  ctx.state.ignored = next.length > IGNORED_KEYS_MAX ? next.slice(0, IGNORED_KEYS_MAX) : next;
  if (fresh.length === 0) return;
  for (let i = 0; i < fresh.length; i++) out.outcomes.push({ key: fresh[i] as string, action: 'ignored', text: 'unknown key' });
  const named = fresh.length > IGNORED_NAMED_MAX ? fresh.slice(0, IGNORED_NAMED_MAX) : fresh;
  const more = fresh.length - named.length;
  out.items.push({ kind: 'error', text: `ignored unknown key${fresh.length === 1 ? '' : 's'}: ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}` });
}

function signature(utf8: Utf8, value: JsonValue, ts: number | undefined): string {
  return `${crc32Hex(utf8(JSON.stringify(value)))}@${ts === undefined ? 0 : ts}`;
}

/**
 * Compares `desired` with the current state and runs what is due. Throws only a power cut; a
 * handler's failure, an invalid value or the budget running out end up in the result.
 */
export async function dispatch(
  ctx: DispatchContext,
  desired: JsonObject,
  meta: unknown,
  version: number | undefined,
  out: DispatchResult,
): Promise<DispatchResult> {
  const st = ctx.state;
  noteUnknownKeys(ctx, desired, out);
  let paramRan = false;
  let budgetExpired = false;
  for (let i = 0; i < ctx.keys.length && !budgetExpired; i++) {
    const k = ctx.keys[i] as ThingKey;
    const key = k.key;
    if (!isSafeKey(key) || !Object.prototype.hasOwnProperty.call(desired, key)) continue;
    const raw = desired[key] as JsonValue;
    let ts = metaTimestamp(meta, key);
    const check = validateKey(ctx.thing, k, raw);
    if (!check.ok) {
      const sig = signature(ctx.utf8, raw, ts);
      if (st.rejected[key] !== sig) {
        const cur = Object.prototype.hasOwnProperty.call(st.current, key) ? st.current[key] : k.spec.default;
        const text = `${key}: expected ${check.expected}, got ${check.got} (kept ${describeValue(cur, 24)})`;
        out.outcomes.push({ key, action: 'rejected', text });
        out.items.push({ kind: 'error', text });
        st.rejected[key] = sig;
      }
      continue;
    }
    const value = check.value;
    const has = Object.prototype.hasOwnProperty.call(st.current, key);
    const from = has ? st.current[key] : undefined;
    const lastTs = Object.prototype.hasOwnProperty.call(st.applied, key) ? st.applied[key] : undefined;
    const differs = !has || !deepEqual(value, from);
    const newer = !!k.spec.command && ts !== undefined && lastTs !== undefined && ts > lastTs;
    let due = differs || newer;
    let applied: JsonValue = value;
    if (key === 'test') {
      if (paramRan && value !== NO_TEST) due = true;
      const param = st.current.test_param;
      applied = { name: value, param: param === undefined ? null : param };
      const pts = metaTimestamp(meta, 'test_param');
      if (paramRan && pts !== undefined && (ts === undefined || pts > ts)) ts = pts;
    }
    if (!due) {
      if (ts !== undefined && lastTs === undefined) st.applied[key] = ts;
      delete st.rejected[key];
      continue;
    }
    const sig = signature(ctx.utf8, applied, ts);
    if (st.rejected[key] === sig) continue; // this very change failed before: not retried until desired changes
    if (key === 'test_param') paramRan = true;
    const label = labelOf(key, value);
    const handler = key === 'test'
      ? value === NO_TEST ? undefined : (to: JsonValue) => runTest(ctx.thing, to as string, st.current.test_param)
      : handlerFor(ctx.thing, key);

    if (!handler) {
      st.current[key] = value;
      if (ts !== undefined) st.applied[key] = ts;
      delete st.rejected[key];
      const text = `${label}: ${describeValue(value, 24)}`;
      out.outcomes.push({ key, action: 'applied', text });
      out.items.push({ kind: 'done', text });
      continue;
    }
    if (ctx.deadline.remainingMs() <= 0) {
      budgetExpired = true;
      break;
    }
    const sideEffects = !k.spec.idempotent;
    if (sideEffects) {
      ctx.persist();
      const rec: { key: string; value: JsonValue; ts?: number; version?: number } = { key, value: applied };
      if (ts !== undefined) rec.ts = ts;
      if (version !== undefined) rec.version = version;
      ctx.intent.save(rec);
    }
    try {
      const r = await ctx.deadline.run(() => handler(value, from), label);
      st.current[key] = value;
      if (ts !== undefined) st.applied[key] = ts;
      delete st.rejected[key];
      const text = `${label}: ${resultText(r)}`;
      out.outcomes.push({ key, action: 'applied', text });
      out.items.push({ kind: 'done', text });
    } catch (e) {
      if (isPowerCut(e)) throw e;
      const f = toDormouseError(e);
      if (f.code === 'EBUDGET' && ctx.deadline.remainingMs() <= 0) {
        budgetExpired = true;
        let text: string;
        if (sideEffects) {
          st.current[key] = value;
          if (ts !== undefined) st.applied[key] = ts;
          text = `${label} interrupted (time budget)`;
        } else {
          text = `${label} interrupted (time budget), will retry`;
        }
        out.outcomes.push({ key, action: 'interrupted', text });
        out.items.push({ kind: 'error', text });
      } else {
        st.rejected[key] = sig;
        const text = showsCode(f.code) ? `${label}: ${f.code}: ${f.message}` : `${label}: ${f.message}`;
        out.outcomes.push({ key, action: 'failed', text });
        out.items.push({ kind: 'error', text });
      }
    }
    if (sideEffects) {
      ctx.persist();
      ctx.intent.clear();
    }
  }
  return { outcomes: out.outcomes, items: out.items, budgetExpired };
}
