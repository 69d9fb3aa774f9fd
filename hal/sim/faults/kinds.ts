/**
 * Every fault the injector knows: where it strikes (inside a wake on the device, on one request
 * inside the cloud, or between two wakes while the device sleeps), which rule fields it takes,
 * and what a correct device does about it (the error code its status must show, or that it may
 * recover within the wake). The plan validator, the schedule, the interceptor, the cloud and the
 * chaos checkers all read this one table.
 */

/**
 * An error code the device reports (`ENET`, `ECLOUD`, … of `src/errors.ts`; the simulator may
 * not import the core, so the codes are plain strings here).
 */
export type ReportedCode = string;

/** Where a fault strikes. */
export type FaultTiming =
  /** Inside a wake, on the device (the HAL interceptor). */
  | 'wake'
  /** On one HTTP request of a wake, inside the cloud (a directive header asks the cloud). */
  | 'request'
  /** Between two wakes, while the device sleeps (its flash, clock or power). */
  | 'between';

/** What a correct device shows after the fault. */
export type FaultOutcome =
  /** The wake's status is `error: …` naming one of the codes. */
  | 'error'
  /** Either that, or the device recovered within the wake (a retry, a clock fix). */
  | 'error-or-recovered'
  /** The power was cut: no status; the next wake must account for it. */
  | 'cut';

/** Where a power cut strikes inside a wake. */
export type PowerCutPoint =
  /** At a random HAL call of the wake. */
  | 'any'
  /** Bringing the network up. */
  | 'net'
  /** During the SNTP exchange. */
  | 'sntp'
  /** At an HTTP request: before it is sent, or after its answer came but before the firmware saw it. */
  | 'http'
  /** Inside a handler: right after it turned the indicator on. */
  | 'handler'
  /** Right after the exactly-once intent record was written, before the handler starts. */
  | 'intent'
  /** Inside a flash write: the temporary file is half written, the old file stays. */
  | 'write';

/** Every power-cut point. */
export const POWER_CUT_POINTS: readonly PowerCutPoint[] = ['any', 'net', 'sntp', 'http', 'handler', 'intent', 'write'];

/** Which requests of a wake a request fault may hit. */
export type RequestSelector = 'GET' | 'POST' | 'any';

/** Every request selector. */
export const REQUEST_SELECTORS: readonly RequestSelector[] = ['GET', 'POST', 'any'];

/** Flash or RTC records a bit flip may damage. */
export type RecordTarget = 'state' | 'intent' | 'rtc' | 'any';

/** Every record target. */
export const RECORD_TARGETS: readonly RecordTarget[] = ['state', 'intent', 'rtc', 'any'];

/** Variants of a bogus SNTP reply. `lie` is well formed but hours off: SigV4's 403 must fix it. */
export const SNTP_BOGUS_VARIANTS = ['garbage', 'short', 'kiss', 'wrong-origin', 'lie'] as const;
/** Variants of a power cut at an HTTP request: before it is sent, or after its answer came. */
export const HTTP_CUT_VARIANTS = ['before-send', 'answer-lost'] as const;
/** Variants of a garbage HTTP response. */
export const GARBAGE_VARIANTS = ['binary', 'bad-status', 'bad-header', 'bad-chunk', 'not-json'] as const;

/** Rule fields beyond the common ones (`kind`, `probability`, `wake`, `wakes`, `device`, `thing`). */
export type FaultField = 'at' | 'nth' | 'request' | 'delayMs' | 'skewMs' | 'jumpMs' | 'variant' | 'file';

/** What the injector knows about one kind. */
export interface FaultKindInfo {
  readonly timing: FaultTiming;
  /** Extra rule fields this kind takes. */
  readonly fields: readonly FaultField[];
  readonly outcome: FaultOutcome;
  /** Codes the status must show (one of them) when the outcome is an error. */
  readonly codes: readonly ReportedCode[];
  /** One line for the plan's documentation and `dormouse chaos --help`. */
  readonly what: string;
}

const err = (codes: readonly ReportedCode[]): { outcome: FaultOutcome; codes: readonly ReportedCode[] } => ({ outcome: 'error', codes });
const soft = (codes: readonly ReportedCode[]): { outcome: FaultOutcome; codes: readonly ReportedCode[] } => ({ outcome: 'error-or-recovered', codes });

/** The catalogue. */
export const FAULT_KINDS = {
  'wifi-fail': { timing: 'wake', fields: ['delayMs'], ...err(['ENET']), what: 'the Wi-Fi join fails (net.up rejects ENET after delayMs)' },
  'net-hang': { timing: 'wake', fields: [], ...err(['EBUDGET']), what: 'net.up never answers, against the HAL contract: only the wake budget can end it' },
  'dns-fail': { timing: 'wake', fields: ['request'], ...err(['EDNS']), what: 'the cloud host name does not resolve (EDNS) for a request' },
  'sntp-timeout': { timing: 'wake', fields: [], ...err(['ETIME']), what: 'no SNTP reply: every attempt times out' },
  'sntp-bogus': { timing: 'wake', fields: ['variant'], ...soft(['ETIME']), what: `a bogus SNTP reply (variant: ${SNTP_BOGUS_VARIANTS.join(', ')})` },
  'tls-fail': { timing: 'wake', fields: ['request'], ...err(['ETLS']), what: 'the TLS handshake fails (the server name does not match the certificate)' },
  'power-cut': {
    timing: 'wake',
    fields: ['at', 'nth', 'request', 'variant'],
    outcome: 'cut',
    codes: [],
    what: `the power is cut inside the wake (at: ${POWER_CUT_POINTS.join(', ')}; nth: the n-th HAL call for any, blink for handler, flash write for write; at http, variant: ${HTTP_CUT_VARIANTS.join(', ')})`,
  },
  'flash-full': { timing: 'wake', fields: [], ...err(['EFULL']), what: 'every flash write of the wake fails with EFULL' },
  'slow-handler': { timing: 'wake', fields: ['delayMs'], ...err(['EBUDGET']), what: 'a handler is slow: its waits while the indicator is on last delayMs longer' },
  'http-429': { timing: 'request', fields: ['request'], ...err(['ECLOUD']), what: 'the cloud answers 429 ThrottlingException' },
  'http-500': { timing: 'request', fields: ['request'], ...err(['ECLOUD']), what: 'the cloud answers 500 InternalFailureException' },
  'http-503': { timing: 'request', fields: ['request'], ...err(['ECLOUD']), what: 'the cloud answers 503 ServiceUnavailableException' },
  'server-skew': { timing: 'request', fields: ['request', 'skewMs'], ...soft(['EAUTH']), what: "the cloud's clock is off by skewMs: 403 Signature expired, with its own Date" },
  garbage: { timing: 'request', fields: ['request', 'variant'], ...err(['EHTTP', 'EBADDOC']), what: `the cloud does the work, then answers garbage (variant: ${GARBAGE_VARIANTS.join(', ')})` },
  truncated: { timing: 'request', fields: ['request'], ...err(['ECONN']), what: 'the cloud does the work, then closes after half the body (Content-Length promises more)' },
  'never-ends': { timing: 'request', fields: ['request'], ...err(['ETIMEOUT', 'EBUDGET']), what: 'the cloud does the work, sends the headers and part of the body, then goes silent' },
  'conn-reset': { timing: 'request', fields: ['request'], ...err(['ECONN']), what: 'the cloud does the work, then resets the connection mid-body' },
  'slow-response': { timing: 'request', fields: ['request', 'delayMs'], ...soft(['ETIMEOUT', 'EBUDGET']), what: 'the cloud answers delayMs late' },
  'clock-jump': { timing: 'between', fields: ['jumpMs'], ...soft(['EAUTH']), what: 'the device clock jumps by jumpMs while it sleeps, still trusted' },
  'bit-flip': { timing: 'between', fields: ['file'], ...err(['ECORRUPT']), what: 'one bit of a persisted record flips while the device sleeps (file: state, intent, rtc, any)' },
  'power-cut-asleep': { timing: 'between', fields: [], outcome: 'error-or-recovered', codes: [], what: 'the power is cut while the device sleeps: it powers on without RTC memory or clock' },
} as const satisfies Readonly<Record<string, FaultKindInfo>>;

/** A fault kind. */
export type FaultKind = keyof typeof FAULT_KINDS;

/** Every fault kind, in catalogue order. */
export const FAULT_KIND_NAMES: readonly FaultKind[] = Object.keys(FAULT_KINDS) as FaultKind[];

/** True when `v` names a fault kind. */
export function isFaultKind(v: unknown): v is FaultKind {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(FAULT_KINDS, v);
}

/** The catalogue entry of `kind`. */
export function kindInfo(kind: FaultKind): FaultKindInfo {
  return FAULT_KINDS[kind];
}
