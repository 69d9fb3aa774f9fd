/**
 * The sandbox a wake runs in: the project's Espruino-shaped `node:vm` context
 * (test/support/espruino-sandbox.ts: only Espruino's builtins, Espruino's quirks), plus what the
 * doubles need from it: its own constructors (a host `Uint8Array` is not `instanceof` the
 * sandbox's, so values handed in are made with these), and a clock the board can set.
 */
import { createEspruinoSandbox, type EspruinoSandbox } from '../espruino-sandbox.js';

/** The context's own constructors, for values handed into it. */
export interface Realm {
  readonly sandbox: EspruinoSandbox;
  readonly Uint8Array: Uint8ArrayConstructor;
  readonly ArrayBuffer: ArrayBufferConstructor;
  readonly Error: ErrorConstructor;
  /** A deep copy of JSON-able host data made of the context's objects and arrays. */
  clone<T>(value: T): T;
}

/**
 * A fresh Espruino-shaped context (install the doubles into `sandbox.global`). `Date.now()`
 * returns fractional ms (as Espruino's does) offset by `clockOffset()` (what `setTime` changed).
 */
export function createRealm(clockOffset: () => number): Realm {
  const sandbox = createEspruinoSandbox({ timeoutMs: 20000 });
  const g = sandbox.global as {
    Uint8Array: Uint8ArrayConstructor;
    ArrayBuffer: ArrayBufferConstructor;
    Error: ErrorConstructor;
    JSON: JSON;
    Date: DateConstructor;
  };
  const start = performance.timeOrigin;
  g.Date.now = () => start + performance.now() + clockOffset();
  return {
    sandbox,
    Uint8Array: g.Uint8Array,
    ArrayBuffer: g.ArrayBuffer,
    Error: g.Error,
    clone<T>(value: T): T {
      return value === undefined ? value : (g.JSON.parse(JSON.stringify(value)) as T);
    },
  };
}

/**
 * An Espruino `InternalError`: an object with `message` and `type`, not `instanceof Error`
 * (measured: `e instanceof Error` is false for the errors `tls.connect` throws).
 */
export function internalError(message: string): { message: string; type: string; toString(): string } {
  return { message, type: 'InternalError', toString: () => `InternalError: ${message}` };
}

/** Latin-1 string of bytes: what Espruino's 8-bit strings hold. */
export function latin1(bytes: Uint8Array | Buffer): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** Bytes of an 8-bit string; a char above 255 cannot exist on an ESP32, so it is a bug of the caller. */
export function bytesOf8bit(s: string, where: string): Buffer {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 255) throw new Error(`espruino double: ${where}: char ${s.charCodeAt(i)} at ${i} cannot exist in an ESP32 (8-bit) string`);
  }
  return Buffer.from(s, 'latin1');
}
