/**
 * Fault injection for the simulator and the local cloud: a seeded plan of faults (`plan.ts`), the
 * catalogue of kinds (`kinds.ts`), the schedule that picks each wake's faults (`schedule.ts`), the
 * HAL interceptor that makes them happen on the device (`interceptor.ts`), the faults between
 * wakes (`between.ts`), the directive a device sends the cloud (`directive.ts`), and what a wake
 * did as seen from the seam (`journal.ts`).
 */
export { mixSeed, Prng } from './prng.js';
export {
  FAULT_KINDS, FAULT_KIND_NAMES, GARBAGE_VARIANTS, HTTP_CUT_VARIANTS, POWER_CUT_POINTS, RECORD_TARGETS, REQUEST_SELECTORS, SNTP_BOGUS_VARIANTS, isFaultKind, kindInfo,
} from './kinds.js';
export type { FaultField, FaultKind, FaultKindInfo, FaultOutcome, FaultTiming, PowerCutPoint, RecordTarget, ReportedCode, RequestSelector } from './kinds.js';
export { FAULTS_ENV, FaultPlanError, faultPlanFromEnv, parseFaultPlan, parseFaultPlanText, readFaultPlan } from './plan.js';
export type { FaultPlan, FaultRule } from './plan.js';
export { SCHEDULE_DEFAULTS, drawFault, planBetween, planWake } from './schedule.js';
export type { PlannedFault } from './schedule.js';
export { FAULT_HEADER, encodeDirective, isCloudFaultKind, parseDirective } from './directive.js';
export type { CloudFaultKind, FaultDirective } from './directive.js';
export { RTC_WRITE, confirmedFaults, newJournal } from './journal.js';
export type { FiredFault, HttpEvent, JournalEvent, WakeJournal } from './journal.js';
export { FIRMWARE_FILES, createFaultInterceptor } from './interceptor.js';
export type { FaultInterceptorOptions } from './interceptor.js';
export { applyBetweenFaults } from './between.js';
export type { BetweenOptions } from './between.js';
export { createFaultInjector } from './injector.js';
export type { FaultInjector, FaultInjectorOptions } from './injector.js';
