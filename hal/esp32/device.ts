/**
 * Facts about the board: `getSerial()` as the id (thing name `ESP-<serial>`), and memory: the
 * ESP-IDF heap (`ESP32.getState().freeHeap`, what a TLS handshake draws on) next to Espruino's
 * JsVar pool (`process.memory()`).
 */
import type { Device, MemoryInfo } from '../hal.js';
import { jsVars } from './espruino.js';

const THING_UNSAFE = /[^a-zA-Z0-9:_-]/g;

/** Free heap of the ESP-IDF in bytes. */
export function freeHeap(): number {
  return ESP32.getState().freeHeap;
}

/** The HAL's {@link Device} on an ESP32. */
export function createEsp32Device(thingPrefix: string): Device {
  let serial: string | undefined;
  const id = (): string => {
    if (serial === undefined) serial = String(getSerial());
    return serial;
  };
  return {
    engine: 'espruino',
    id,
    defaultThingName(): string {
      return (thingPrefix + id()).replace(THING_UNSAFE, '-').substring(0, 128);
    },
    memory(): MemoryInfo {
      const heap = freeHeap();
      const v = jsVars();
      // free: what TLS can use; total: that plus the JsVar pool the interpreter holds.
      return { free: heap, total: heap + v.total * v.blocksize };
    },
  };
}
