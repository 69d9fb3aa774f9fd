/**
 * The cycle's doors to the cloud and to network time. The cycle depends on these two small
 * interfaces only; `firmware/app.ts` wires them to the shadow client and SNTP, tests to doubles.
 * A failure is thrown as an error with a `code` (`ENET`, `EAUTH`, `ECLOUD`, `ETIME`, …) and,
 * for cloud errors, the HTTP `status` and the server's `date` when it sent one.
 */
import type { JsonObject } from './json.js';

/** Transfer figures and the server's `Date` (epoch ms) of a reply. */
export interface CloudReply {
  readonly date?: number;
  readonly bytesOut?: number;
  readonly bytesIn?: number;
}

/** The parts of a shadow document the cycle reads; everything else is checked before use. */
export interface ShadowDocumentLike {
  readonly state?: { readonly desired?: unknown; readonly reported?: unknown };
  readonly metadata?: { readonly desired?: unknown };
  readonly version?: unknown;
}

/** Reading the desired state and writing the reported state of this device's shadow. */
export interface CloudPort {
  /** GET the shadow. A missing shadow rejects with `status` 404. */
  getShadow(): Promise<CloudReply & { readonly doc: ShadowDocumentLike }>;
  /** POST `{"state":{"reported": reported}}`; resolves once the cloud accepted it. */
  report(reported: JsonObject): Promise<CloudReply>;
}

/** One network time exchange. */
export interface TimeSync {
  /** True time minus device time, ms: add it to the clock. */
  readonly offsetMs: number;
  /** Round trip of the exchange, ms (half of it bounds the error). */
  readonly roundTripMs?: number;
  readonly bytesOut?: number;
  readonly bytesIn?: number;
}

/** Network time (SNTP). Does not set the clock: the cycle does, and learns the drift. */
export interface TimePort {
  sync(): Promise<TimeSync>;
}

/** What the cycle reads off a thrown cloud error (duck-typed: an `AwsError`, a HAL failure…). */
export interface CloudFailureFacts {
  readonly code?: string;
  readonly status?: number;
  readonly date?: number;
  readonly message?: string;
}

/** The facts of a thrown value, safely read. */
export function failureFacts(e: unknown): CloudFailureFacts {
  if (e === null || typeof e !== 'object') return { message: String(e) };
  const o = e as Record<string, unknown>;
  const out: { code?: string; status?: number; date?: number; message?: string } = {};
  if (typeof o.code === 'string') out.code = o.code;
  if (typeof o.status === 'number') out.status = o.status;
  if (typeof o.date === 'number' && isFinite(o.date)) out.date = o.date;
  if (typeof o.message === 'string') out.message = o.message;
  return out;
}
