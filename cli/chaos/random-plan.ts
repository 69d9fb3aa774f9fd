/**
 * The fault plan of a chaos run when none is given: every fault kind at a per-wake probability
 * (about one faulted wake in three), plus each episode's outage window for every device. The
 * probabilities are fixed (so runs with different seeds are comparable); the seed decides which
 * wakes they strike and how. Kinds that cost wall time (a hang costs the whole wake budget, a
 * response that never ends one HTTP timeout) are rarer.
 */
import type { FaultPlan, FaultRule } from '../../hal/sim/faults/index.js';
import type { EpisodeInfo } from './history.js';

/** The standing rules: kind, chance per wake, and fixed fields. */
export const RANDOM_RULES: readonly FaultRule[] = [
  { kind: 'wifi-fail', probability: 0.02 },
  { kind: 'net-hang', probability: 0.002 },
  { kind: 'dns-fail', probability: 0.012 },
  // SNTP runs only after a power loss: these strike rarely however high they are set.
  { kind: 'sntp-timeout', probability: 0.25 },
  { kind: 'sntp-bogus', probability: 0.35 },
  { kind: 'tls-fail', probability: 0.012 },
  // Power cuts: the points that matter most for exactly-once strike only when a handler runs
  // (about one wake in ten), so they are asked for more often. One power-cut rule per wake wins.
  { kind: 'power-cut', probability: 0.3, at: 'handler' },
  { kind: 'power-cut', probability: 0.12, at: 'intent' },
  { kind: 'power-cut', probability: 0.03, at: 'write' },
  { kind: 'power-cut', probability: 0.015, at: 'any' },
  { kind: 'power-cut', probability: 0.008, at: 'http' },
  { kind: 'power-cut', probability: 0.005, at: 'net' },
  { kind: 'power-cut', probability: 0.1, at: 'sntp' },
  // Strikes only when something is written.
  { kind: 'flash-full', probability: 0.03 },
  // Strikes only when a handler blinks.
  { kind: 'slow-handler', probability: 0.12 },
  { kind: 'http-429', probability: 0.01 },
  { kind: 'http-500', probability: 0.01 },
  { kind: 'http-503', probability: 0.012 },
  { kind: 'server-skew', probability: 0.01 },
  { kind: 'garbage', probability: 0.015 },
  { kind: 'truncated', probability: 0.015 },
  { kind: 'never-ends', probability: 0.006 },
  { kind: 'conn-reset', probability: 0.015 },
  { kind: 'slow-response', probability: 0.012 },
  { kind: 'clock-jump', probability: 0.01 },
  { kind: 'bit-flip', probability: 0.012, file: 'any' },
  { kind: 'power-cut-asleep', probability: 0.01 },
];

/** The outage rule of an episode: first in the plan, so it takes the slot before any other fault. */
function outageRule(e: EpisodeInfo): FaultRule | undefined {
  const o = e.outage;
  if (o === undefined) return undefined;
  const wakes: [number, number] = [o.from, o.to];
  if (o.kind === 'wifi-fail') return { kind: 'wifi-fail', probability: 1, wakes, delayMs: 0 };
  return { kind: o.kind, probability: 1, wakes, request: 'GET' };
}

/** The plan of a run with `seed` and the episodes `episodes`. */
export function randomPlan(seed: number, episodes: readonly EpisodeInfo[]): FaultPlan {
  const outages = episodes.map(outageRule).filter((r): r is FaultRule => r !== undefined);
  return { seed, rules: [...outages, ...RANDOM_RULES] };
}
