/**
 * Test support for the focused fault tests: a local cloud with fault injection on loopback (AWS's
 * example key), and a simulated device running the shipped bundle under a fault plan, with the
 * chaos run's short wake budget. Each wake comes back as the chaos run observes it, and the
 * chaos checkers judge the device's history afterwards: a fault test asserts the fault happened,
 * the wake slept within the budget with the right status, and the promises still hold.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { CHAOS_DEFAULTS } from '../../cli/chaos/options.js';
import { observeWake } from '../../cli/chaos/observe.js';
import type { ChaosHistory, DesiredChange, DeviceHistory, DrivenKey, Violation, WakeObservation } from '../../cli/chaos/history.js';
import { CHECKERS } from '../../cli/chaos/invariants/index.js';
import { prepareDeviceDir } from '../../cli/sim-setup.js';
import { startCloud } from '../../cloud/index.js';
import type { CloudExchange, RunningCloud } from '../../cloud/index.js';
import { loadAppBundle } from '../../hal/sim/app-bundle.js';
import type { AppBundle } from '../../hal/sim/app-bundle.js';
import { createFaultInjector, parseFaultPlan } from '../../hal/sim/faults/index.js';
import type { FaultInjector } from '../../hal/sim/faults/index.js';
import { SimDevice } from '../../hal/sim/runner.js';
import { isPlainObject } from '../../src/json.js';
import type { JsonObject, JsonValue } from '../../src/json.js';
import { resolveWakeOptions } from '../../src/wake-options.js';
import type { WakeSummary } from '../../src/wake-summary.js';

/** AWS's public example key, the only one tests use. */
export const EXAMPLE_ENV = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

/** The wake options of the fault tests (the chaos run's). */
export const WAKE = resolveWakeOptions(CHAOS_DEFAULTS.wake);
/** Longest a wake may stay awake: the budget plus the watchdog's margin. */
export const WAKE_LIMIT_MS = WAKE.budgetMs + WAKE.watchdogMarginMs;

const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A temporary directory removed after the test file. */
export function tempDir(prefix = 'dormouse-faults-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

let app: AppBundle | undefined;
/** The shipped firmware, compiled once per file. */
export function firmware(): AppBundle {
  app ??= loadAppBundle();
  return app;
}

/** A cloud obeying fault directives, and what it sent. */
export interface FaultCloud {
  readonly cloud: RunningCloud;
  readonly dir: string;
  readonly exchanges: CloudExchange[];
  /** Ids of the faults that reached the cloud. */
  readonly arrivals: Set<string>;
}

/** Start a local cloud with fault injection (directives) on loopback. */
export async function startFaultCloud(): Promise<FaultCloud> {
  const dir = tempDir();
  const exchanges: CloudExchange[] = [];
  const arrivals = new Set<string>();
  const cloud = await startCloud({
    dataDir: join(dir, 'cloud'),
    port: 0,
    ntpPort: 0,
    env: EXAMPLE_ENV,
    throttle: false,
    faults: { directives: true, observe: (e) => exchanges.push(e), onFault: (f) => void (f.id !== undefined && arrivals.add(f.id)) },
  });
  return { cloud, dir, exchanges, arrivals };
}

/** A simulated device under a fault plan. */
export interface FaultDevice {
  readonly thing: string;
  readonly dir: string;
  readonly sim: SimDevice;
  readonly injector: FaultInjector;
  readonly history: DeviceHistory;
  /** Run the next wake and observe it. */
  wake(): Promise<WakeObservation>;
  /** Change desired (through the cloud's shadow service); every key is recorded as a valid change unless `invalid` lists it. */
  setDesired(desired: Partial<Record<DrivenKey, JsonValue>>, invalid?: readonly DrivenKey[]): void;
  /** The shadow's reported section now. */
  reported(): JsonObject;
  /** Every checker's verdict on each wake so far (the end-of-run checks need a whole run). */
  violations(): Violation[];
}

let things = 0;

/** Options of {@link faultDevice}. */
export interface FaultDeviceOptions {
  /** At power-on the clock is off by this (ms). */
  readonly clockOffsetMs?: number;
  /** The desired state before the first wake (default: the seed's, with signal 0). */
  readonly initial?: Partial<Record<DrivenKey, JsonValue>>;
}

/** Provision a device for `fc.cloud` and put `rules` (a plan's rules, as JSON) to work on it. */
export async function faultDevice(fc: FaultCloud, rules: readonly unknown[], o: FaultDeviceOptions = {}): Promise<FaultDevice> {
  const thing = `fault-${++things}`;
  const dir = join(fc.dir, 'devices', thing);
  await prepareDeviceDir({ dir, thing, forceThing: true, cloudDir: join(fc.dir, 'cloud'), env: EXAMPLE_ENV });
  const plan = parseFaultPlan({ seed: 7, rules }, 'test plan');
  const injector = createFaultInjector({ plan, seed: 7, device: 1, dir: join(fc.dir, 'devices', thing), tagRequests: true });
  const sim = new SimDevice({
    dir,
    thing,
    app: firmware(),
    speed: 1,
    bootOptions: { wake: CHAOS_DEFAULTS.wake },
    backstopMs: CHAOS_DEFAULTS.backstopMs,
    machineWrites: 'through',
    durable: false,
    clockOffsetMs: o.clockOffsetMs ?? 0,
    logLevel: 'none',
    interceptWake: (n) => injector.interceptWake(n),
  });
  const changes: DesiredChange[] = [];
  const history: DeviceHistory = { device: 1, thing, changes, wakes: [], acks: [] };
  let clockS = 0;
  const setDesired = (desired: Partial<Record<DrivenKey, JsonValue>>, invalid: readonly DrivenKey[] = []): void => {
    clockS = Math.max(Math.floor(Date.now() / 1000), clockS + 1);
    const out = fc.cloud.shadows.update({ thing }, { state: { desired: desired as JsonObject } }, 'test-driver', clockS * 1000);
    if (!out.ok) throw new Error(`desired update refused: ${out.message}`);
    for (const [k, value] of Object.entries(desired)) {
      changes.push({ device: 1, key: k as DrivenKey, value: value as JsonValue, ts: clockS, valid: invalid.indexOf(k as DrivenKey) < 0, beforeWake: sim.wakes + 1 });
    }
  };
  setDesired({ sleep: 30, signal: 0, test: 'none', test_param: 100, ...(o.initial ?? {}) });
  const chaos = (): ChaosHistory => ({
    devices: [history],
    episodes: [],
    wake: { budgetMs: WAKE.budgetMs, watchdogMarginMs: WAKE.watchdogMarginMs, sleepMaxSeconds: WAKE.sleepMaxSeconds, backoffJitter: WAKE.backoffJitter, sleepSeconds: WAKE.sleepSeconds },
    cloudAcks: new Map(),
  });
  const reported = (): JsonObject => {
    const r = fc.cloud.shadows.stored({ thing })?.state.reported;
    return isPlainObject(r) ? r : {};
  };
  return {
    thing,
    dir,
    sim,
    injector,
    history,
    async wake() {
      const n = sim.wakes + 1;
      const before = injector.beforeWake(sim, n);
      const record = await sim.wake();
      const obs = observeWake({ device: 1, episode: 1, phase: 'faults', record, journal: injector.journal(n), before, dir, machine: sim.machine, reported: reported(), arrived: (id) => fc.arrivals.delete(id) });
      history.wakes.push(obs);
      for (const p of obs.posts) if (p.status === 200 && p.version !== undefined) history.acks.push({ device: 1, thing, version: p.version, wake: obs.wake });
      return obs;
    },
    setDesired,
    reported,
    violations() {
      const h = chaos();
      const out: Violation[] = [];
      history.wakes.forEach((_w, i) => {
        for (const c of CHECKERS) out.push(...c.afterWake(h, history, i));
      });
      return out;
    },
  };
}

/** The summary of a wake that must have ended in deep sleep within the budget. */
export function slept(w: WakeObservation): WakeSummary {
  expect(w.end.kind, `the wake ended ${JSON.stringify(w.end)} ${w.error ?? ''}`).toBe('sleep');
  expect(w.cycleMs).toBeLessThan(WAKE_LIMIT_MS);
  expect(w.summary).toBeDefined();
  return w.summary as WakeSummary;
}

/** The kinds of faults that struck a wake (inside it and before it). */
export function struck(w: WakeObservation): string[] {
  return [...w.before, ...w.fired].map((f) => f.kind);
}

/** A wake that went well: slept the normal period, no error. */
export function good(w: WakeObservation): WakeSummary {
  const s = slept(w);
  expect(s.error, s.status).toBeUndefined();
  expect(s.sleep.backoff).toBe(false);
  return s;
}
