import type { HalErrorCode } from '../hal/hal.js';

/** Codes the core itself raises, next to the HAL's. */
export type CoreErrorCode =
  /** A config file is missing or malformed (names the file and field). */
  | 'ECONFIG'
  /** No trustworthy time: SNTP failed and the RTC is not trusted. */
  | 'ETIME'
  /** The cloud refused our credentials or signature (401/403). */
  | 'EAUTH'
  /** The cloud answered with an error status (4xx/5xx other than auth). */
  | 'ECLOUD'
  /** A document from the cloud, or given by a user, is not what was expected. */
  | 'EBADDOC'
  /** A desired value failed validation (type, range). */
  | 'EINVALID'
  /** A handler threw. */
  | 'EHANDLER'
  /** A handler was cut short by a power loss or watchdog reset in an earlier wake. */
  | 'EINTERRUPTED'
  /** A persisted record failed its checksum and was reset. */
  | 'ECORRUPT'
  /** The wake ran past its time budget. */
  | 'EBUDGET'
  /** A programming error: something that cannot happen did. */
  | 'EINTERNAL';

/** Every code an error of dormouse can carry. */
export type ErrorCode = HalErrorCode | CoreErrorCode;

const KNOWN_CODES: readonly string[] = [
  'ENET', 'EDNS', 'ECONN', 'ETLS', 'ETIMEOUT', 'EHTTP', 'EUDP', 'ESTORAGE', 'EFULL', 'EMEM', 'EPOWER',
  'ECONFIG', 'ETIME', 'EAUTH', 'ECLOUD', 'EBADDOC', 'EINVALID', 'EHANDLER', 'EINTERRUPTED',
  'ECORRUPT', 'EBUDGET', 'EINTERNAL',
];

/** True when `code` is one of dormouse's error codes. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && KNOWN_CODES.indexOf(code) >= 0;
}

/**
 * The one error class of dormouse. `code` says what kind of failure it is (it ends up in the
 * device's status line); the message says what was expected and what came instead.
 */
export class DormouseError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    // ES5 output: Error.call returns a fresh object; restore the prototype of the class actually
    // constructed (a subclass such as AwsError included) so instanceof works on every engine.
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = 'DormouseError';
    this.code = code;
    this.message = message;
  }
}

/**
 * Turn anything thrown into a {@link DormouseError}, keeping a HAL's code when it has one.
 * Unknown throwables become `EINTERNAL`, with their text.
 */
export function toDormouseError(e: unknown): DormouseError {
  if (e instanceof DormouseError) return e;
  const code = e !== null && typeof e === 'object' ? (e as { code?: unknown }).code : undefined;
  const message = e !== null && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string'
    ? (e as { message: string }).message
    : String(e);
  return new DormouseError(isErrorCode(code) ? code : 'EINTERNAL', message);
}
