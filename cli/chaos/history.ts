/**
 * What a chaos run records, as plain data: every desired change the driver made, and every wake
 * of every device as seen from outside (the HAL seam's journal, the files left on flash, the
 * cloud's shadow). The invariant checkers read only this, so each can be fed a synthetic history
 * that breaks it and must say so.
 */
import type { WakeEnd } from '../../hal/sim/life.js';
import type { FaultKind, FiredFault } from '../../hal/sim/faults/index.js';
import type { JsonObject, JsonValue } from '../../src/json.js';
import type { LoadOutcome, StateRecord } from '../../src/store.js';
import type { WakeSummary } from '../../src/wake-summary.js';

/** The keys the driver changes (the base keys of every dormouse thing). */
export const DRIVEN_KEYS = ['signal', 'test', 'test_param', 'sleep'] as const;

/** A driven key. */
export type DrivenKey = (typeof DRIVEN_KEYS)[number];

/** A phase of a device's run: faults injected, or none (to measure convergence). */
export type Phase = 'faults' | 'quiet';

/** One desired change made through the cloud. */
export interface DesiredChange {
  readonly device: number;
  readonly key: DrivenKey;
  readonly value: JsonValue;
  /** The desired metadata timestamp the cloud gave the key (epoch s). */
  readonly ts: number;
  /** Whether a correct device accepts the value (the driver's own table, not the device's code). */
  readonly valid: boolean;
  /** Made before this wake of the device (1-based); a change made during a wake says that wake. */
  readonly beforeWake: number;
  /** True when made while the wake ran (between its GET and its POST). */
  readonly midWake?: boolean;
}

/** A handler run with side effects, delimited by its exactly-once intent record. */
export interface Execution {
  readonly key: string;
  readonly value: JsonValue;
  /** Desired timestamp the intent record names. */
  readonly ts?: number;
  /** Indicator blinks while it ran. */
  readonly blinks: number;
  /** False when the wake died before the intent record was cleared. */
  readonly completed: boolean;
}

/** A POST of the reported state, as the device's HAL saw it. */
export interface PostObservation {
  readonly status?: number;
  readonly error?: string;
  /** Shadow version of a 200 answer. */
  readonly version?: number;
  /** The reported section sent. */
  readonly reported?: JsonObject;
}

/** Records on flash and in RTC memory after a wake. */
export interface RecordsAfter {
  readonly state: LoadOutcome;
  readonly intent: LoadOutcome;
  readonly rtc: LoadOutcome;
}

/** One wake of one device. */
export interface WakeObservation {
  readonly device: number;
  /** The device's wake count (1-based; the simulator's, across power cuts). */
  readonly wake: number;
  readonly episode: number;
  readonly phase: Phase;
  readonly reason: string;
  readonly end: WakeEnd;
  /** Real time from the fresh context to the end of the wake (ms). */
  readonly cycleMs: number;
  readonly summary?: WakeSummary;
  /** Why boot rejected or the wake crashed. */
  readonly error?: string;
  /** Faults that struck inside the wake. */
  readonly fired: readonly FiredFault[];
  /** Faults that struck while it slept before this wake. */
  readonly before: readonly FiredFault[];
  readonly executions: readonly Execution[];
  /** Indicator blinks outside any intent record. */
  readonly strayBlinks: number;
  readonly posts: readonly PostObservation[];
  /** Records written successfully in this wake (`state`, `intent`, `rtc`). */
  readonly rewrote: readonly ('state' | 'intent' | 'rtc')[];
  /** Where the interceptor cut the power, if it did. */
  readonly cutAt?: string;
  readonly records: RecordsAfter;
  /** The state record after the wake, when it decoded. */
  readonly state?: StateRecord;
  /** The shadow's reported section after the wake (quiet phases only). */
  readonly reported?: JsonObject;
}

/** A violated invariant. */
export interface Violation {
  readonly invariant: InvariantName;
  readonly device: number;
  readonly wake: number;
  readonly message: string;
}

/** The invariant families of `dormouse chaos`. */
export type InvariantName = 'sleep' | 'exactly-once' | 'convergence' | 'persistence' | 'reports' | 'backoff' | 'status';

/** Every invariant family, in report order. */
export const INVARIANTS: readonly InvariantName[] = ['sleep', 'exactly-once', 'convergence', 'persistence', 'reports', 'backoff', 'status'];

/** An update the cloud acknowledged in full (a 200 to a POST that reached the device's HAL). */
export interface Ack {
  readonly device: number;
  readonly thing: string;
  readonly version: number;
  readonly wake: number;
}

/** What the cloud kept of one thing at the end. */
export interface CloudFinal {
  /** Versions in the shadow's history, with the reported section each update carried. */
  readonly history: ReadonlyMap<number, JsonObject | null>;
  readonly reported: JsonObject;
  readonly desired: JsonObject;
}

/** The layout of a run: episodes of faults followed by a quiet phase. */
export interface EpisodeInfo {
  readonly index: number;
  readonly firstWake: number;
  /** First wake of the quiet phase. */
  readonly quietFrom: number;
  readonly lastWake: number;
  /** The outage window of the episode (every device), if any. */
  readonly outage?: { readonly from: number; readonly to: number; readonly kind: FaultKind };
}

/** Everything one device did. */
export interface DeviceHistory {
  readonly device: number;
  readonly thing: string;
  readonly changes: DesiredChange[];
  readonly wakes: WakeObservation[];
  /** POSTs the device saw acknowledged with a 200. */
  readonly acks: Ack[];
}

/** A whole run. */
export interface ChaosHistory {
  readonly devices: readonly DeviceHistory[];
  readonly episodes: readonly EpisodeInfo[];
  /** The wake options the devices ran with. */
  readonly wake: { readonly budgetMs: number; readonly watchdogMarginMs: number; readonly sleepMaxSeconds: number; readonly backoffJitter: number; readonly sleepSeconds: number };
  /** 200s the cloud sent in full for updates: thing → versions. */
  readonly cloudAcks: ReadonlyMap<string, readonly number[]>;
  /** Filled at the end of the run. */
  readonly final?: ReadonlyMap<string, CloudFinal>;
}
