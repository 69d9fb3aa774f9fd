/**
 * `dormouse chaos`: a seeded chaos run of simulated devices against the local cloud, judged by
 * the device's promises. See the README, "Faults and the chaos run".
 */
export { runChaos } from './run.js';
export type { ChaosRun } from './run.js';
export { CHAOS_DEFAULTS } from './options.js';
export type { ChaosOptions, ChaosProgress } from './options.js';
export { figuresOf, formatFigures, formatViolation, quantileOf } from './report.js';
export type { ChaosFigures } from './report.js';
export { layoutRun, phaseOf, OUTAGE_KINDS } from './layout.js';
export { randomPlan, RANDOM_RULES } from './random-plan.js';
export { DesiredDriver, DRIVER_VALUES, INITIAL_DESIRED } from './driver.js';
export { observeWake, executionsOf, postsOf, readRecords, recordOutcome } from './observe.js';
export { CHECKERS, checkHistory } from './invariants/index.js';
export { DRIVEN_KEYS, INVARIANTS } from './history.js';
export type {
  Ack, ChaosHistory, CloudFinal, DesiredChange, DeviceHistory, DrivenKey, EpisodeInfo, Execution, InvariantName, Phase, PostObservation,
  RecordsAfter, Violation, WakeObservation,
} from './history.js';
