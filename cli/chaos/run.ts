/**
 * A chaos run: the local cloud (with fault injection), simulated devices running the shipped
 * firmware under a seeded fault plan, a driver changing their desired state, and the invariant
 * checkers judging every wake as it ends and the whole run at its end.
 *
 * Determinism: every decision (which fault, where, which desired change, the firmware's random
 * bytes) comes from the seed. What remains of wall-clock time: HTTP and SNTP timeouts and the
 * wake budget are real timers, so a machine loaded enough to slow a wake past one can fail a wake
 * no fault was planned for, and the cloud's timestamps are real (a desired timestamp is at least
 * one second after the previous one, see `driver.ts`). The faults, the changes and the verdicts
 * replay; a wake that timed out by load may not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadAppBundle } from '../../hal/sim/app-bundle.js';
import { createFaultInjector, mixSeed, Prng } from '../../hal/sim/faults/index.js';
import type { FaultInjector, FaultPlan } from '../../hal/sim/faults/index.js';
import type { HalInterceptor } from '../../hal/sim/guard.js';
import type { HttpRequest } from '../../hal/hal.js';
import { SimDevice } from '../../hal/sim/runner.js';
import { resolveWakeOptions } from '../../src/wake-options.js';
import { prepareDeviceDir } from '../sim-setup.js';
import { startChaosCloud } from './cloud-port.js';
import { DesiredDriver } from './driver.js';
import type { ChaosHistory, CloudFinal, DeviceHistory, EpisodeInfo, Violation } from './history.js';
import { CHECKERS } from './invariants/index.js';
import { layoutRun, phaseOf } from './layout.js';
import { observeWake } from './observe.js';
import { CHAOS_DEFAULTS } from './options.js';
import type { ChaosOptions } from './options.js';
import { randomPlan } from './random-plan.js';

/** What a run leaves: its history (for the report and the checkers) and its violations. */
export interface ChaosRun {
  readonly history: ChaosHistory;
  readonly violations: readonly Violation[];
  readonly plan: FaultPlan;
  readonly wallMs: number;
  /** True when it stopped early (a violation with `stopOnViolation`, or an abort). */
  readonly stoppedEarly: boolean;
}

/** A device of the run and what it needs. */
interface Rig {
  readonly history: DeviceHistory;
  readonly sim: SimDevice;
  readonly injector: FaultInjector;
  readonly driver: DesiredDriver;
  readonly dir: string;
}

/**
 * `inner`, plus a call to `hook` at the wake's report (its POST: the device fetched desired
 * already), which waits for the hook (a desired change through the cloud).
 */
function withMidWake(inner: HalInterceptor, hook: () => Promise<unknown>): HalInterceptor {
  let done = false;
  return (call, proceed, wake) => {
    if (!done && call.part === 'http' && call.method === 'request' && (call.args[0] as HttpRequest | undefined)?.method === 'POST') {
      done = true;
      return hook().then(() => inner(call, proceed, wake));
    }
    return inner(call, proceed, wake);
  };
}

/** Run a chaos run. */
export async function runChaos(o: ChaosOptions, signal?: AbortSignal): Promise<ChaosRun> {
  const t0 = performance.now();
  const wakeOptions = { ...CHAOS_DEFAULTS.wake, ...(o.wake ?? {}) };
  const wake = resolveWakeOptions(wakeOptions);
  const quietWakes = o.quietWakes ?? CHAOS_DEFAULTS.quietWakes;
  const episodes: EpisodeInfo[] = layoutRun({
    seed: o.seed,
    wakes: o.wakes,
    episodeWakes: Math.max(quietWakes + 2, o.episodeWakes ?? CHAOS_DEFAULTS.episodeWakes),
    quietWakes,
    outageWakes: o.plan !== undefined ? 0 : o.outageWakes ?? CHAOS_DEFAULTS.outageWakes,
  });
  const plan = o.plan ?? randomPlan(o.seed, episodes);
  const root = o.dir ?? mkdtempSync(join(CHAOS_DEFAULTS.tempRoot, 'dormouse-chaos-'));
  const cloudAcks = new Map<string, number[]>();
  // Ids of the faults the cloud received: a fault asked for on a request strikes only if it arrives.
  const arrivals = new Set<string>();
  const cloud = await startChaosCloud(join(root, 'cloud'), {
    onArrival: (id) => void arrivals.add(id),
    onAck: (thing, version) => {
      const list = cloudAcks.get(thing);
      if (list === undefined) cloudAcks.set(thing, [version]);
      else list.push(version);
    },
  }, o.cloudThread ?? true);
  const violations: Violation[] = [];
  let stopped = false;
  const report = (v: Violation): void => {
    violations.push(v);
    o.onViolation?.(v);
    if (o.stopOnViolation === true) stopped = true;
  };
  const history: { devices: DeviceHistory[]; episodes: EpisodeInfo[]; wake: ChaosHistory['wake']; cloudAcks: Map<string, number[]>; final?: Map<string, CloudFinal> } = {
    devices: [],
    episodes,
    wake: { budgetMs: wake.budgetMs, watchdogMarginMs: wake.watchdogMarginMs, sleepMaxSeconds: wake.sleepMaxSeconds, backoffJitter: wake.backoffJitter, sleepSeconds: wake.sleepSeconds },
    cloudAcks,
  };
  let done = 0;
  let faults = 0;
  const total = o.wakes * o.devices;
  const progress = o.onProgress === undefined ? undefined : setInterval(() => {
    o.onProgress?.({ wakes: done, total, faults, violations: violations.length, elapsedMs: performance.now() - t0 });
  }, o.progressMs ?? CHAOS_DEFAULTS.progressMs);
  try {
    const app = o.app ?? loadAppBundle();
    const rigs: Rig[] = [];
    for (let i = 1; i <= o.devices; i++) {
      const thing = `${CHAOS_DEFAULTS.thingPrefix}-${i}`;
      const dir = join(root, 'devices', thing);
      await prepareDeviceDir({ dir, thing, forceThing: true, cloudDir: join(root, 'cloud'), env: {} });
      const prng = new Prng(mixSeed(o.seed, 'device', i));
      const injector = createFaultInjector({ plan, seed: o.seed, device: i, dir, quiet: (w) => phaseOf(episodes, w).phase === 'quiet' });
      const driver = new DesiredDriver({
        update: (thing, desired, keyId, nowMs) => cloud.update(thing, desired, keyId, nowMs),
        thing,
        device: i,
        prng: prng.fork('driver'),
        changeProbability: o.changeProbability ?? CHAOS_DEFAULTS.changeProbability,
        invalidShare: o.invalidShare ?? CHAOS_DEFAULTS.invalidShare,
        midWakeProbability: o.midWakeProbability ?? CHAOS_DEFAULTS.midWakeProbability,
        keyId: CHAOS_DEFAULTS.driverKeyId,
      });
      const clockOffsetMs = prng.int(-CHAOS_DEFAULTS.powerOnClockOffsetMs, CHAOS_DEFAULTS.powerOnClockOffsetMs);
      const sim = new SimDevice({
        dir,
        thing,
        app,
        speed: 1,
        bootOptions: { wake: wakeOptions },
        backstopMs: CHAOS_DEFAULTS.backstopMs,
        machineWrites: 'through',
        durable: false,
        clockOffsetMs,
        logLevel: 'none',
        interceptWake: (n) => {
          const inner = injector.interceptWake(n);
          return phaseOf(episodes, n).phase === 'faults' ? withMidWake(inner, () => driver.midWake(n)) : inner;
        },
      });
      const dh: DeviceHistory = { device: i, thing, changes: driver.changes, wakes: [], acks: [] };
      history.devices.push(dh);
      rigs.push({ history: dh, sim, injector, driver, dir });
    }
    const runDevice = async (rig: Rig): Promise<void> => {
      const d = rig.history;
      await rig.driver.initial();
      for (let n = 1; n <= o.wakes && !stopped && signal?.aborted !== true; n++) {
        const { episode, phase } = phaseOf(episodes, n);
        if (phase === 'faults') await rig.driver.beforeWake(n);
        else if (n === episode.quietFrom) await rig.driver.final(n);
        const before = rig.injector.beforeWake(rig.sim, n);
        const record = await rig.sim.wake();
        // Every fault that reached the cloud during the wake is known once this resolves.
        await cloud.sync();
        const reported = phase === 'quiet' ? await cloud.reported(d.thing) : undefined;
        const journal = rig.injector.journal(n);
        const obs = observeWake({
          device: d.device,
          episode: episode.index,
          phase,
          record,
          journal,
          before,
          dir: rig.dir,
          machine: rig.sim.machine,
          arrived: (id) => arrivals.delete(id),
          ...(reported !== undefined ? { reported } : {}),
        });
        d.wakes.push(obs);
        for (const p of obs.posts) if (p.status === 200 && p.version !== undefined) d.acks.push({ device: d.device, thing: d.thing, version: p.version, wake: obs.wake });
        faults += obs.fired.length + obs.before.length;
        done++;
        const i = d.wakes.length - 1;
        for (const c of CHECKERS) for (const v of c.afterWake(history, d, i)) report(v);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      rig.sim.close();
    };
    await Promise.all(rigs.map(runDevice));
    const final = new Map<string, CloudFinal>();
    for (const r of rigs) final.set(r.history.thing, await cloud.final(r.history.thing));
    history.final = final;
    if (!stopped && signal?.aborted !== true) for (const c of CHECKERS) for (const v of c.atEnd(history)) report(v);
  } finally {
    if (progress !== undefined) clearInterval(progress);
    await cloud.close();
    if (o.dir === undefined) rmSync(root, { recursive: true, force: true });
  }
  return { history, violations, plan, wallMs: performance.now() - t0, stoppedEarly: stopped || signal?.aborted === true };
}
