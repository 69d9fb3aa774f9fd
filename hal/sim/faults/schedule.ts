/**
 * From a plan to the faults of one wake: which rules fire for device D's wake W, and with which
 * drawn parameters (which request, which call the power is cut at, how long a delay). Every
 * decision comes from a stream derived from (seed, rule, device, wake), so a wake's faults do not
 * depend on other devices, other wakes or other rules, and a run replays from its seed.
 */
import { FAULT_KINDS } from './kinds.js';
import type { FaultKind, PowerCutPoint, RecordTarget } from './kinds.js';
import type { FaultPlan, FaultRule } from './plan.js';
import { mixSeed, Prng } from './prng.js';

/** A fault scheduled for a wake, its parameters drawn. */
export interface PlannedFault {
  readonly kind: FaultKind;
  /** Index of the rule in the plan. */
  readonly rule: number;
  /** Request faults (and dns/tls): the request hit, and which of that method in the wake (1-based). */
  readonly request?: 'GET' | 'POST';
  readonly ordinal?: number;
  /** Power cut: where; for `any` the HAL call index (1-based), for `handler` the n-th time the indicator turns on, for `write` the flash write index. */
  readonly at?: PowerCutPoint;
  readonly callIndex?: number;
  readonly writeIndex?: number;
  /** Power cut at `http`: before the request is sent (else after its answer came). */
  readonly before?: boolean;
  readonly delayMs?: number;
  readonly skewMs?: number;
  readonly jumpMs?: number;
  readonly variant?: string;
  readonly file?: Exclude<RecordTarget, 'any'>;
  /** A seed for what the fault itself draws (garbage bytes, which bit flips). */
  readonly seed: number;
}

/** Defaults of drawn parameters (used when a rule does not fix them). */
export const SCHEDULE_DEFAULTS = {
  /** `power-cut` at `any`: the call index is drawn from 1..this. */
  maxCallIndex: 60,
  /** `power-cut` at `write`: the flash write index is drawn from 1..this. */
  maxWriteIndex: 3,
  /** `power-cut` at `handler`: cut when the indicator turns on for the n-th time, n drawn from 1..this. */
  maxBlinkIndex: 3,
  /** Chance that a request fault with `request: any` hits the GET (else the POST). */
  getShare: 0.6,
  /** `wifi-fail` join time drawn from 0..this (ms). */
  wifiFailMaxMs: 300,
  /** `slow-handler`: how much longer each wait while the indicator is on lasts (ms). */
  slowHandlerMs: 10_000,
  /** `slow-response`: delay drawn from this range (ms). */
  slowResponseMs: [100, 2500] as const,
  /** `server-skew`: skews drawn from these (ms). */
  serverSkewsMs: [10 * 60_000, 60 * 60_000, -15 * 60_000] as const,
  /** `clock-jump`: size drawn from this range of minutes, either sign. */
  clockJumpMinutes: [10, 90] as const,
};

function applies(rule: FaultRule, device: number, wake: number): boolean {
  if (rule.devices !== undefined && rule.devices.indexOf(device) < 0) return false;
  if (rule.wake !== undefined && rule.wake !== wake) return false;
  if (rule.wakes !== undefined && (wake < rule.wakes[0] || wake > rule.wakes[1])) return false;
  return true;
}

function pickRequest(rule: FaultRule, prng: Prng): 'GET' | 'POST' {
  const r = rule.request ?? 'any';
  return r === 'any' ? (prng.chance(SCHEDULE_DEFAULTS.getShare) ? 'GET' : 'POST') : r;
}

const CUT_POINTS: readonly PowerCutPoint[] = ['any', 'net', 'sntp', 'http', 'handler', 'intent', 'write'];

/** Draw the parameters of the fault of `rule` (index `index` in its plan) from `prng`. */
export function drawFault(rule: FaultRule, index: number, prng: Prng): PlannedFault {
  const base = { kind: rule.kind, rule: index, seed: Math.floor(prng.next() * 4294967296) };
  const d = SCHEDULE_DEFAULTS;
  switch (rule.kind) {
    case 'wifi-fail':
      return { ...base, delayMs: rule.delayMs ?? prng.int(0, d.wifiFailMaxMs) };
    case 'slow-handler':
      return { ...base, delayMs: rule.delayMs ?? d.slowHandlerMs };
    case 'sntp-bogus':
      return { ...base, variant: rule.variant ?? prng.pick(['garbage', 'short', 'kiss', 'wrong-origin', 'lie']) };
    case 'dns-fail':
    case 'tls-fail':
    case 'http-429':
    case 'http-500':
    case 'http-503':
    case 'truncated':
    case 'never-ends':
    case 'conn-reset':
      return { ...base, request: pickRequest(rule, prng), ordinal: 1 };
    case 'garbage':
      return { ...base, request: pickRequest(rule, prng), ordinal: 1, variant: rule.variant ?? prng.pick(['binary', 'bad-status', 'bad-header', 'bad-chunk', 'not-json']) };
    case 'server-skew':
      return { ...base, request: pickRequest(rule, prng), ordinal: 1, skewMs: rule.skewMs ?? prng.pick(d.serverSkewsMs) };
    case 'slow-response':
      return { ...base, request: pickRequest(rule, prng), ordinal: 1, delayMs: rule.delayMs ?? prng.int(d.slowResponseMs[0], d.slowResponseMs[1]) };
    case 'power-cut': {
      const at = rule.at ?? prng.pick(CUT_POINTS);
      if (at === 'any') return { ...base, at, callIndex: rule.nth ?? prng.int(1, d.maxCallIndex) };
      if (at === 'write') return { ...base, at, writeIndex: rule.nth ?? prng.int(1, d.maxWriteIndex) };
      if (at === 'http') {
        const before = rule.variant !== undefined ? rule.variant === 'before-send' : prng.chance(0.5);
        return { ...base, at, request: pickRequest(rule, prng), ordinal: 1, before };
      }
      if (at === 'handler') return { ...base, at, callIndex: rule.nth ?? prng.int(1, d.maxBlinkIndex) };
      return { ...base, at };
    }
    case 'clock-jump': {
      const minutes = prng.int(d.clockJumpMinutes[0], d.clockJumpMinutes[1]);
      return { ...base, jumpMs: rule.jumpMs ?? (prng.chance(0.5) ? 1 : -1) * minutes * 60_000 };
    }
    case 'bit-flip': {
      const f = rule.file ?? 'state';
      return { ...base, file: f === 'any' ? prng.pick(['state', 'intent', 'rtc'] as const) : f };
    }
    default:
      return base;
  }
}

/** The slot a fault occupies: two faults for one slot in one wake would hide each other. */
function slotOf(f: PlannedFault): string {
  if (f.kind === 'power-cut') return 'power';
  if (f.request !== undefined) return `request:${f.request}:${f.ordinal ?? 1}`;
  if (f.kind === 'wifi-fail' || f.kind === 'net-hang') return 'net';
  if (f.kind === 'sntp-timeout' || f.kind === 'sntp-bogus') return 'sntp';
  if (f.kind === 'bit-flip') return `flip:${f.file ?? 'state'}`;
  return f.kind;
}

function collect(plan: FaultPlan, seed: number, device: number, wake: number, between: boolean): PlannedFault[] {
  const out: PlannedFault[] = [];
  const taken = new Set<string>();
  plan.rules.forEach((rule, i) => {
    if ((FAULT_KINDS[rule.kind].timing === 'between') !== between) return;
    if (!applies(rule, device, wake)) return;
    const prng = new Prng(mixSeed(seed, 'rule', i, 'device', device, 'wake', wake));
    if (!prng.chance(rule.probability)) return;
    const f = drawFault(rule, i, prng);
    const slot = slotOf(f);
    if (taken.has(slot)) return;
    taken.add(slot);
    out.push(f);
  });
  return out;
}

/** The faults inside wake `wake` of device `device` (both 1-based). */
export function planWake(plan: FaultPlan, seed: number, device: number, wake: number): PlannedFault[] {
  return collect(plan, seed, device, wake, false);
}

/** The faults that strike while device `device` sleeps before wake `wake`. */
export function planBetween(plan: FaultPlan, seed: number, device: number, wake: number): PlannedFault[] {
  return collect(plan, seed, device, wake, true);
}
