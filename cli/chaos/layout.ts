/**
 * How a chaos run is laid out in wakes, the same for every device: episodes of a fault phase
 * followed by a quiet phase (no faults, no new desired changes) in which convergence is measured.
 * Each fault phase holds one outage window in which every device's wakes fail the same way (so
 * the backoff of a whole fleet can be judged), placed by the seed.
 */
import type { FaultKind } from '../../hal/sim/faults/index.js';
import { mixSeed, Prng } from '../../hal/sim/faults/index.js';
import type { EpisodeInfo, Phase } from './history.js';

/** Options of {@link layoutRun}. */
export interface LayoutOptions {
  readonly seed: number;
  /** Wakes per device. */
  readonly wakes: number;
  /** Wakes per episode (fault phase + quiet phase). */
  readonly episodeWakes: number;
  /** Wakes of each quiet phase. */
  readonly quietWakes: number;
  /** Wakes an outage lasts (0: none). */
  readonly outageWakes: number;
}

/** Kinds an outage is made of: every wake in the window fails its first step with the cloud. */
export const OUTAGE_KINDS: readonly FaultKind[] = ['wifi-fail', 'http-503', 'dns-fail', 'conn-reset'];

/** The episodes of a run. */
export function layoutRun(o: LayoutOptions): EpisodeInfo[] {
  const out: EpisodeInfo[] = [];
  const prng = new Prng(mixSeed(o.seed, 'layout'));
  let index = 1;
  for (let first = 1; first <= o.wakes; first += o.episodeWakes, index++) {
    const last = Math.min(o.wakes, first + o.episodeWakes - 1);
    const length = last - first + 1;
    const quiet = Math.min(o.quietWakes, Math.max(1, length - 1));
    const quietFrom = last - quiet + 1;
    const faultWakes = quietFrom - first;
    let outage: EpisodeInfo['outage'];
    // Room for a few wakes before it, and a few after it to see the fleet come back.
    if (o.outageWakes > 0 && faultWakes >= o.outageWakes + 8) {
      const from = first + 2 + prng.int(0, faultWakes - o.outageWakes - 6);
      outage = { from, to: from + o.outageWakes - 1, kind: prng.pick(OUTAGE_KINDS) };
    }
    out.push({ index, firstWake: first, quietFrom, lastWake: last, ...(outage !== undefined ? { outage } : {}) });
  }
  return out;
}

/** The episode and phase of wake `wake`. */
export function phaseOf(episodes: readonly EpisodeInfo[], wake: number): { episode: EpisodeInfo; phase: Phase } {
  for (const e of episodes) {
    if (wake >= e.firstWake && wake <= e.lastWake) return { episode: e, phase: wake >= e.quietFrom ? 'quiet' : 'faults' };
  }
  const e = episodes[episodes.length - 1];
  if (e === undefined) throw new Error('a chaos run has at least one episode');
  return { episode: e, phase: 'quiet' };
}
