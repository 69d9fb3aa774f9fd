/**
 * The door to Espruino's built-in modules and the globals whose names Node's types also use
 * (`require`, `process`, `atob`). They are declared here, module-locally, so the ambient
 * declarations in types/espruino.d.ts never clash with @types/node.
 */

declare function require(name: string): unknown;
declare const process: {
  memory(): { free: number; usage: number; total: number; blocksize?: number };
};
declare function atob(base64: string): string;
declare function setTimeout(fn: () => void, ms: number): unknown;
declare function clearTimeout(id: unknown): void;
declare const console: { log(...args: unknown[]): void };

/** `require('Storage')`. */
export function storageModule(): EspruinoStorage {
  return require('Storage') as EspruinoStorage;
}
/** `require('tls')` (HTTPS) or `require('net')` (plain TCP, local cloud only). */
export function socketModule(tls: boolean): EspruinoNet {
  return require(tls ? 'tls' : 'net') as EspruinoNet;
}
/** `require('dgram')`. */
export function dgramModule(): EspruinoDgram {
  return require('dgram') as EspruinoDgram;
}
/** `require('crypto')`: native SHA-256. */
export function cryptoModule(): EspruinoCrypto {
  return require('crypto') as EspruinoCrypto;
}
/** `require('Wifi')` (ESP32). */
export function wifiModule(): EspruinoWifi {
  return require('Wifi') as EspruinoWifi;
}
/** JsVar figures of the interpreter. */
export function jsVars(): { free: number; usage: number; total: number; blocksize: number } {
  const m = process.memory();
  return { free: m.free, usage: m.usage, total: m.total, blocksize: m.blocksize === undefined ? 14 : m.blocksize };
}
/** Base64 to an 8-bit string (Espruino's `atob`). */
export function base64ToBytes(base64: string): string {
  return atob(base64);
}

/** Call `fn` once after `ms` ms; returns a function that cancels it. */
export function after(ms: number, fn: () => void): () => void {
  const id = setTimeout(fn, ms);
  return () => clearTimeout(id);
}
/** Print a line on the console (the serial port). */
export function consoleLine(text: string): void {
  console.log(text);
}
