/**
 * What one wake did, as seen from the HAL seam: the flash writes and removals (with their text),
 * the indicator switching, the HTTP exchanges, the power cut, and which planned faults actually
 * struck. The chaos checkers judge the firmware from this outside view, not from what it says
 * about itself.
 */
import type { FaultKind } from './kinds.js';

/** The `name` of a journal write that went to RTC memory rather than flash. */
export const RTC_WRITE = '(rtc)';

/** One thing the firmware did through the HAL. */
export type JournalEvent =
  /** A flash write (`ok` false: it failed, `code` says why). */
  | { readonly type: 'write'; readonly name: string; readonly data: string; readonly ok: boolean; readonly code?: string }
  /** A flash file removed. */
  | { readonly type: 'remove'; readonly name: string; readonly ok: boolean }
  /** The indicator switched on or off. */
  | { readonly type: 'led'; readonly on: boolean }
  /** An HTTP exchange, filled in when it settles. */
  | HttpEvent
  /** The power was cut here. */
  | { readonly type: 'cut'; readonly at: string };

/** An HTTP exchange. The request body and the answer's body are kept for POSTs only. */
export interface HttpEvent {
  readonly type: 'http';
  readonly method: string;
  readonly path: string;
  readonly body?: string;
  /** Filled in when the exchange settles. */
  status?: number;
  response?: string;
  /** The failure code when it failed. */
  error?: string;
}

/** A planned fault that struck. */
export interface FiredFault {
  readonly kind: FaultKind;
  /** The plan rule it came from. */
  readonly rule: number;
  /** Where it struck (`net.up`, `GET /things/id-3/shadow`, `storage.write dormouse.state`, `asleep`). */
  readonly where: string;
  readonly detail?: string;
  /** For a fault the cloud executes: the directive's id (see {@link WakeJournal.requested}). */
  readonly id?: string;
}

/** The journal of one wake. */
export interface WakeJournal {
  readonly events: JournalEvent[];
  /** Faults that struck on the device (or between wakes). */
  readonly fired: FiredFault[];
  /**
   * Faults asked of the cloud (a directive on a request). They strike only if the request reaches
   * it: a request that times out connecting never does. Whoever watches the cloud (its
   * `onFault`) confirms them by id ({@link confirmedFaults}).
   */
  readonly requested: FiredFault[];
  /** HAL calls seen. */
  calls: number;
}

/** An empty journal. */
export function newJournal(): WakeJournal {
  return { events: [], fired: [], requested: [], calls: 0 };
}

/** The faults of a wake that struck: the device's, and the cloud's that `arrived` confirms by id. */
export function confirmedFaults(j: WakeJournal, arrived: (id: string) => boolean): FiredFault[] {
  return [...j.fired, ...j.requested.filter((f) => f.id !== undefined && arrived(f.id))];
}
