/**
 * Every tunable of a wake, with its default, in one place. The cycle, the thing base class, the
 * clock-trust rules and the backoff all read their numbers from here, so a reader finds each
 * default once and a test or a board can override any of them.
 */

/** Tunables of one wake. All durations in milliseconds unless the name says seconds. */
export interface WakeOptions {
  /** Whole-wake time budget: past it the wake stops what it is doing, persists and sleeps. */
  readonly budgetMs: number;
  /** The watchdog is started for the budget plus this margin (persist, net down, sleep). */
  readonly watchdogMarginMs: number;
  /** A report is sent at least this often even when nothing changed (the cloud sees the device alive). */
  readonly heartbeatSeconds: number;
  /** Deep-sleep length when desired `sleep` was never set. */
  readonly sleepSeconds: number;
  /** Smallest valid `sleep`. */
  readonly sleepMinSeconds: number;
  /** Largest valid `sleep`, and the cap of the backoff. */
  readonly sleepMaxSeconds: number;
  /** Time kept back from the handlers for the report after them. */
  readonly reportReserveMs: number;
  /** How long the network may take to come up. */
  readonly netTimeoutMs: number;
  /** How long one SNTP attempt waits for its reply. */
  readonly ntpTimeoutMs: number;
  /** SNTP attempts after the first one. */
  readonly ntpRetries: number;
  /** Timeout of one HTTP request (connect, send, receive). */
  readonly httpTimeoutMs: number;
  /** The RTC is trusted while its estimated error stays under this (SigV4 allows 5 minutes). */
  readonly clockMarginMs: number;
  /** Drift rate assumed before one is learned: an ESP32 RTC slow clock drifts by several percent. */
  readonly defaultDriftPpm: number;
  /** A learned drift rate is multiplied by this before it is trusted. */
  readonly driftSafetyFactor: number;
  /** A learned drift rate is never taken lower than this. */
  readonly minDriftPpm: number;
  /** Drift is learned only from syncs at least this far apart (shorter spans are noise). */
  readonly driftLearnMinMs: number;
  /** The clock is corrected from an HTTP `Date` header when it is off by more than this (Date has 1 s resolution). */
  readonly dateToleranceMs: number;
  /** Backoff jitter: a backed-off sleep is shortened by a random fraction up to this. */
  readonly backoffJitter: number;
  /** Longest status line reported (the shadow document is limited to 8 KB). */
  readonly statusMaxChars: number;
  /**
   * A shadow document nested deeper than this is refused as `EBADDOC` before anything walks it
   * (AWS allows 6 levels under desired/reported; garbage from a broken cloud may be deeper
   * than the device's stack).
   */
  readonly maxDocumentDepth: number;
  /** Firmware version reported in `device.fw`. */
  readonly fwVersion: string;
}

/** The defaults of every {@link WakeOptions} field. */
export const DEFAULTS: WakeOptions = {
  budgetMs: 20000,
  watchdogMarginMs: 10000,
  heartbeatSeconds: 3600,
  sleepSeconds: 30,
  sleepMinSeconds: 5,
  sleepMaxSeconds: 600,
  reportReserveMs: 5000,
  netTimeoutMs: 10000,
  ntpTimeoutMs: 1500,
  ntpRetries: 2,
  httpTimeoutMs: 8000,
  clockMarginMs: 60000,
  defaultDriftPpm: 50000,
  driftSafetyFactor: 2,
  minDriftPpm: 200,
  driftLearnMinMs: 60000,
  dateToleranceMs: 2000,
  backoffJitter: 0.25,
  statusMaxChars: 300,
  maxDocumentDepth: 16,
  fwVersion: '0.1.0',
};

/** {@link DEFAULTS} with the fields of `partial` that are set (own keys, not undefined) taking precedence. */
export function resolveWakeOptions(partial?: Partial<WakeOptions>): WakeOptions {
  const out: Record<string, unknown> = {};
  const defaults = DEFAULTS as unknown as Record<string, unknown>;
  for (const k in defaults) {
    if (Object.prototype.hasOwnProperty.call(defaults, k)) out[k] = defaults[k];
  }
  if (partial) {
    const p = partial as unknown as Record<string, unknown>;
    for (const k in defaults) {
      if (Object.prototype.hasOwnProperty.call(p, k) && p[k] !== undefined && typeof p[k] === typeof defaults[k]) out[k] = p[k];
    }
  }
  return out as unknown as WakeOptions;
}
