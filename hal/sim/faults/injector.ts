/**
 * A fault plan applied to one simulated device, wake after wake: the interceptor of each wake
 * (`SimDeviceOptions.interceptWake`), the faults to apply while it sleeps before a wake, and the
 * journal each wake leaves. `dormouse chaos` and `dormouse sim --faults` both use it.
 */
import type { HalInterceptor } from '../guard.js';
import type { SimDevice } from '../runner.js';
import { applyBetweenFaults } from './between.js';
import { createFaultInterceptor, FIRMWARE_FILES } from './interceptor.js';
import { newJournal } from './journal.js';
import type { FiredFault, WakeJournal } from './journal.js';
import type { FaultPlan } from './plan.js';
import { mixSeed, Prng } from './prng.js';
import { planBetween, planWake } from './schedule.js';

/** Options of {@link createFaultInjector}. */
export interface FaultInjectorOptions {
  readonly plan: FaultPlan;
  /** The run's seed (the plan's own `seed` wins when it has one). */
  readonly seed: number;
  /** This device's index in the fleet, 1-based (rules with `device` match it). */
  readonly device: number;
  /** The device directory. */
  readonly dir: string;
  /** Wakes for which nothing is injected (a quiet phase); default none. */
  readonly quiet?: (wake: number) => boolean;
  /** Replace the firmware's random bytes with seeded ones (a run replays exactly). Default true. */
  readonly seededRandom?: boolean;
  /** Tag every request for the cloud (`none` when no fault). Default true. */
  readonly tagRequests?: boolean;
}

/** The plan at work on one device. */
export interface FaultInjector {
  /** For `SimDeviceOptions.interceptWake`: the interceptor of wake `index`. */
  interceptWake(index: number): HalInterceptor;
  /** The journal of wake `index`, once it started (the latest few are kept). */
  journal(index: number): WakeJournal | undefined;
  /** Apply the faults that strike while `device` sleeps before wake `index`; returns those that struck. */
  beforeWake(device: SimDevice, index: number): FiredFault[];
}

/** Journals kept (the caller reads each right after its wake). */
const KEEP = 4;

/** Put `plan` to work on one device. */
export function createFaultInjector(o: FaultInjectorOptions): FaultInjector {
  const seed = o.plan.seed ?? o.seed;
  const journals = new Map<number, WakeJournal>();
  const quiet = (wake: number): boolean => o.quiet !== undefined && o.quiet(wake);
  return {
    interceptWake(index: number): HalInterceptor {
      const journal = newJournal();
      journals.set(index, journal);
      journals.delete(index - KEEP);
      const faults = quiet(index) ? [] : planWake(o.plan, seed, o.device, index);
      return createFaultInterceptor({
        faults,
        journal,
        dir: o.dir,
        intentFile: FIRMWARE_FILES.intent,
        tagRequests: o.tagRequests ?? true,
        tag: `d${o.device}w${index}`,
        ...(o.seededRandom === false ? {} : { random: new Prng(mixSeed(seed, 'random', o.device, index)) }),
      });
    },
    journal: (index) => journals.get(index),
    beforeWake(device: SimDevice, index: number): FiredFault[] {
      if (quiet(index)) return [];
      return applyBetweenFaults(device, planBetween(o.plan, seed, o.device, index));
    },
  };
}
