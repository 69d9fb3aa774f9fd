/**
 * HAL failures of the simulator: plain `Error`s carrying a {@link HalErrorCode}, as on the chip,
 * so the core reports the same codes on both machines.
 */
import type { HalErrorCode, HalFailure } from '../hal.js';

/** A {@link HalFailure} with `code` and a message saying what was expected and what happened. */
export function simFailure(code: HalErrorCode, message: string): HalFailure {
  const e = new Error(message) as Error & { code: HalErrorCode };
  e.code = code;
  e.name = 'HalFailure';
  return e;
}

/** The message of anything thrown. */
export function messageOf(e: unknown): string {
  return e !== null && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string'
    ? (e as { message: string }).message
    : String(e);
}
