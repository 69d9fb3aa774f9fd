/**
 * What one wake did, in one plain object: `boot` resolves with it, the simulator prints it as a
 * timeline line, and tests assert on it.
 */
import type { WakeReason } from '../hal/hal.js';
import type { ErrorCode } from './errors.js';

/** Where the time this wake signed with came from. */
export type TimeSource = 'rtc' | 'sntp' | 'http-date' | 'none';

/** What happened to one desired key. */
export type KeyAction = 'applied' | 'rejected' | 'ignored' | 'interrupted' | 'failed';

/** The outcome of one desired key in this wake. */
export interface KeyOutcome {
  readonly key: string;
  readonly action: KeyAction;
  /** The text this key contributed to the status line. */
  readonly text: string;
}

/** Why a report was sent, or why not. */
export type ReportReason = 'changed' | 'pending' | 'heartbeat' | 'nothing-to-report';

/** One wake, summarised. */
export interface WakeSummary {
  /** Wake count since the last power loss (1 for the first). */
  readonly wake: number;
  readonly reason: WakeReason;
  readonly time: { readonly source: TimeSource; readonly offsetMs: number };
  /** Shadow version the GET returned, when it succeeded. */
  readonly shadowVersion?: number;
  readonly outcomes: readonly KeyOutcome[];
  /** `sent` false with a reason other than `nothing-to-report`: the report is pending. */
  readonly report: { readonly sent: boolean; readonly reason: ReportReason };
  readonly sleep: { readonly seconds: number; readonly backoff: boolean; readonly attempt: number };
  readonly awakeMs: number;
  readonly bytesOut: number;
  readonly bytesIn: number;
  /** The status line of this wake (`done: …` / `error: …`). */
  readonly status: string;
  /** The code of the failure that stopped the wake, if one did. */
  readonly error?: ErrorCode;
}

/** The summary as one line for a log or a timeline. */
export function formatSummary(s: WakeSummary): string {
  const keys: string[] = [];
  for (let i = 0; i < s.outcomes.length; i++) {
    const o = s.outcomes[i] as KeyOutcome;
    keys.push(`${o.key}=${o.action}`);
  }
  return `wake ${s.wake} (${s.reason}) time=${s.time.source}${s.time.offsetMs !== 0 ? `${s.time.offsetMs > 0 ? '+' : ''}${s.time.offsetMs}ms` : ''}` +
    `${s.shadowVersion !== undefined ? ` v${s.shadowVersion}` : ''}${keys.length > 0 ? ` [${keys.join(' ')}]` : ''}` +
    ` report=${s.report.sent ? 'sent' : 'skipped'}(${s.report.reason}) sleep=${s.sleep.seconds}s${s.sleep.backoff ? `(backoff ${s.sleep.attempt})` : ''}` +
    ` awake=${s.awakeMs}ms out=${s.bytesOut}B in=${s.bytesIn}B | ${s.status}`;
}
