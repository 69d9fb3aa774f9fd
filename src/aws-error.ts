/**
 * An error answer of the AWS IoT data plane (any non-2xx), with the fields AWS puts on the wire:
 * status, `x-amzn-ErrorType`, the body's `message`, `x-amzn-RequestId` and the server `Date` (a
 * device with a wrong clock learns the time from a 403). Engine-neutral and Espruino-safe.
 */
import { DormouseError } from './errors.js';
import { parseHttpDate } from './http-date.js';

/** The parts of an HTTP response an {@link AwsError} is built from (a HAL `HttpResponse` fits). */
export interface AwsErrorResponse {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Longest raw body kept on an error (device memory is small). */
const MAX_BODY = 512;
/** Longest non-JSON body quoted as the server message. */
const MAX_MESSAGE = 200;

/** A non-2xx answer of AWS IoT. `code` is `EAUTH` for 401/403, `ECLOUD` otherwise. */
export class AwsError extends DormouseError {
  /** HTTP status. */
  readonly status: number;
  /** Error name from `x-amzn-ErrorType` without the trailing `:…` (e.g. `ConflictException`), else the status as text, as the AWS SDKs do. */
  readonly type: string;
  /** The body's `message`, or the raw body (truncated) when it is not JSON. */
  readonly serverMessage: string;
  /** `x-amzn-RequestId`, when sent. */
  readonly requestId?: string;
  /** The server's `Date` header as epoch ms, when sent and valid. */
  readonly date?: number;
  /** The raw body (truncated to 512 characters), to show the error as AWS sent it. */
  readonly body: string;
  /** The response headers (lower-case names), to show the error as AWS sent it. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(res: AwsErrorResponse, what?: string) {
    const h = res.headers || {};
    const rawType = h['x-amzn-errortype'];
    const type = rawType ? rawType.split(':')[0] as string : String(res.status);
    const body = typeof res.body === 'string' ? res.body : '';
    let msg: string | undefined;
    const t = body.trim();
    if (t.charAt(0) === '{' && t.charAt(t.length - 1) === '}') {
      try {
        const parsed: unknown = JSON.parse(t);
        const m = parsed !== null && typeof parsed === 'object' ? (parsed as { message?: unknown }).message : undefined;
        if (typeof m === 'string') msg = m;
      } catch (_e) {
        // not JSON: the raw body below
      }
    }
    if (msg === undefined) msg = t.length > MAX_MESSAGE ? (t.substring(0, MAX_MESSAGE) + '...') : t;
    const status = res.status;
    super(status === 401 || status === 403 ? 'EAUTH' : 'ECLOUD', (what ? what + ': ' : '') + 'HTTP ' + status + ' ' + type + (msg ? ': ' + msg : ''));
    Object.setPrototypeOf(this, AwsError.prototype);
    this.name = 'AwsError';
    this.status = status;
    this.type = type;
    this.serverMessage = msg;
    const id = h['x-amzn-requestid'];
    if (id) this.requestId = id;
    const date = parseHttpDate(h['date']);
    if (date !== undefined) this.date = date;
    this.body = body.length > MAX_BODY ? body.substring(0, MAX_BODY) : body;
    this.headers = h;
  }
}
