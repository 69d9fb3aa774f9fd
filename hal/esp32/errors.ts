/**
 * HAL failures on Espruino: plain `Error`s with a {@link HalErrorCode}, and the translation of
 * what Espruino throws (its `InternalError`s are not `instanceof Error` and have no `name`).
 */
import type { HalErrorCode, HalFailure } from '../hal.js';

/** A {@link HalFailure}: an `Error` carrying `code`. Built without subclassing (Espruino-safe). */
export function halError(code: HalErrorCode, message: string): HalFailure {
  const e = new Error(message) as Error & { code: HalErrorCode };
  e.code = code;
  // Espruino's Error has no `name` of its own; set one so logs read well on both engines.
  e.name = 'HalFailure';
  return e;
}

/** True when `e` already is a HAL failure (has a string `code` starting with `E`). */
export function isHalFailure(e: unknown): e is HalFailure {
  return e !== null && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string' &&
    String((e as { code: string }).code).charAt(0) === 'E';
}

/** The text of anything thrown: Espruino's `InternalError` has `message` but may not be an `Error`. */
export function thrownText(e: unknown): string {
  if (e !== null && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') {
    return (e as { message: string }).message;
  }
  return String(e);
}
