/**
 * Espruino 2v29 globals and modules that dormouse's ESP32 HAL uses, with Espruino's calling
 * conventions (read from Espruino's sources: libs/network/jswrap_net.c, socketserver.c,
 * network.c, jswrap_wifi.c, targets/esp32/jswrap_esp32.c, src/jswrap_espruino.c,
 * src/jswrap_storage.c, libs/crypto/jswrap_crypto.c; and measured on the Linux build).
 *
 * A global script (no import/export) checked by tsconfig.device.json. It avoids the names Node's
 * types declare too (`require`, `process`, `atob`): `hal/esp32/espruino.ts` declares those
 * module-locally, so tsconfig.json (which includes `types/`) still type-checks.
 */

/** A pin: a name such as `"D2"` (at most 4 characters) or a GPIO number. */
type EspruinoPin = string | number;

/** The `E` object: Espruino's own utilities. */
interface EspruinoE {
  /** Enable the hardware watchdog; with `isAuto === false`, `kickWatchdog` must be called in time. */
  enableWatchdog(timeoutSeconds: number, isAuto?: boolean): void;
  kickWatchdog(): void;
  /** Error flags such as `LOW_MEMORY`, `MEMORY`, `FIFO_FULL`. */
  getErrorFlags(): string[];
  /** `errorFlag` fires when a new error flag is set. */
  on(event: 'errorFlag', fn: (flags: string[]) => void): void;
  on(event: 'init' | 'kill', fn: () => void): void;
  /** Bytes of the arguments (strings are taken char by char as 8-bit bytes; UTF-8 strings as their UTF-8 bytes). */
  toUint8Array(...args: unknown[]): Uint8Array;
  /** A string whose chars are the given bytes. */
  toString(...args: unknown[]): string;
  /** CRC-32 (IEEE) of a string or byte array, unsigned. Absent on SAVE_ON_FLASH builds. */
  CRC32?(data: string | Uint8Array): number;
  /** A 32-bit hardware random number. */
  hwRand?(): number;
  /** Unicode-aware builds only (Linux): true when the string is held as UTF-8. */
  isUTF8?(s: string): boolean;
  /** Unicode-aware builds only: the bytes `s` holds, read as UTF-8. Throws on 8-bit builds. */
  asUTF8?(s: string): string;
}

/** Storage (`require('Storage')`): small named files in flash, names at most 28 chars. */
interface EspruinoStorage {
  /** Contents, or `undefined` when the file does not exist. */
  read(name: string, offset?: number, length?: number): string | undefined;
  /** Writes the file; returns false or throws (`Unable to find or create file`) when it cannot. Names over 28 chars are truncated; empty data throws. */
  write(name: string, data: string, offset?: number, size?: number): boolean;
  readJSON(name: string, noExceptions?: boolean): unknown;
  writeJSON(name: string, data: unknown): boolean;
  erase(name: string): void;
  list(pattern?: RegExp): string[];
  /** Free bytes (not counting erased files awaiting compaction). */
  getFree(): number;
  compact(): void;
  getStats?(): { totalBytes: number; freeBytes: number; fileBytes: number; fileCount: number; trashBytes: number; trashCount: number };
}

/** An Espruino socket (`net.connect` / `tls.connect`). */
interface EspruinoSocket {
  /** Queues data (strings are sent as 8-bit bytes). Throws `This socket is closed` after close. */
  write(data: string): boolean;
  /** Closes after the queued data is sent. */
  end(data?: string): void;
  /** `data` delivers 8-bit strings, at most 536 bytes each on ESP32 and Linux. */
  on(event: 'data', fn: (data: string) => void): void;
  /** `close(hadError)` after the peer closed, an error, or `end()`. */
  on(event: 'close', fn: (hadError: boolean) => void): void;
  /** `error({code, message})`: code a negative number; a plain close (-1) never fires it. */
  on(event: 'error', fn: (err: { code: number; message: string }) => void): void;
  /** `drain` when the queued data has been sent; on TLS only after the handshake. */
  on(event: 'drain' | 'end' | 'connect', fn: () => void): void;
  removeAllListeners(event?: string): void;
}

/** Options of `net.connect` / `tls.connect`. `ca`/`cert`/`key`: DER (or PEM where mbedTLS has PEM) contents over 100 chars. */
interface EspruinoConnectOptions {
  host: string;
  port: number;
  ca?: string;
  cert?: string;
  key?: string;
  /** Read by dormouse's patched firmware only: the SNI / certificate host name (default `host`). */
  servername?: string;
}

/** `require('net')` and `require('tls')`: connect throws synchronously on DNS failure or refusal. */
interface EspruinoNet {
  connect(options: EspruinoConnectOptions, onConnect?: (socket: EspruinoSocket) => void): EspruinoSocket;
}

/** A UDP socket of `require('dgram')`. */
interface EspruinoDgramSocket {
  /** Sends `msg` (an 8-bit string). The callback Node has is never called on Espruino. */
  send(msg: string, port: number, host: string): void;
  bind(port: number, fn?: (socket: EspruinoDgramSocket) => void): EspruinoDgramSocket;
  on(event: 'message', fn: (msg: string, rinfo: { address: string; port: number; size: number }) => void): void;
  on(event: 'close', fn: (hadError: boolean) => void): void;
  on(event: 'error', fn: (err: { code: number; message: string }) => void): void;
  close(): void;
}

/** `require('dgram')`. */
interface EspruinoDgram {
  createSocket(type: 'udp4' | { type: 'udp4'; reuseAddr?: boolean; recvBufferSize?: number }): EspruinoDgramSocket;
}

/** `require('crypto')`: hashes take a string, Uint8Array or ArrayBuffer and return an ArrayBuffer. No HMAC. */
interface EspruinoCrypto {
  SHA256(data: string | Uint8Array | ArrayBuffer): ArrayBuffer;
}

/** Details passed to the `Wifi` `disconnected` event. */
interface EspruinoWifiDisconnected {
  ssid?: string;
  mac?: string;
  /** The reason code, as a string. */
  reason?: string;
  /** e.g. `NO_AP_FOUND`, `AUTH_FAIL`. */
  msg?: string;
}

/** `require('Wifi')` on an ESP32. */
interface EspruinoWifi {
  /** `callback(err)` after DHCP: `err` null on success, else a reason string (e.g. `NO_AP_FOUND`). */
  connect(ssid: string, options: { password?: string }, callback: (err: string | null) => void): void;
  disconnect(callback?: () => void): void;
  getIP(): { ip?: string; netmask?: string; gw?: string; mac?: string };
  /** `station` is `connected` or a reason; `rssi` in dBm when connected. */
  getStatus(): { station?: string; rssi?: number; mode?: string };
  getDetails(): { status?: string; ssid?: string };
  on(event: 'disconnected', fn: (details: EspruinoWifiDisconnected) => void): void;
  on(event: 'dhcp_timeout' | 'connected', fn: (details?: unknown) => void): void;
  removeAllListeners(event?: string): void;
}

/** The `ESP32` object. */
interface EspruinoEsp32 {
  /** Never returns: the next wake is a reboot that runs `.bootcde`. `us` is a 32-bit int. */
  deepSleep(us: number): void;
  /** 0 power-on / reset / watchdog (not a deep-sleep wake), 2 EXT0, 3 EXT1, 4 timer, 5 touchpad, 6 ULP. */
  getWakeupCause(): number;
  getState(): { sdkVersion?: string; freeHeap: number; minHeap?: number; BLE?: boolean; Wifi?: boolean };
}

declare const E: EspruinoE;
declare const ESP32: EspruinoEsp32;
/** The chip's serial number (ESP32: derived from the MAC). */
declare function getSerial(): string;
/** Set the system clock, in seconds since 1970 (fractions allowed). A no-op on the Linux build. */
declare function setTime(seconds: number): void;
/** System time in seconds (affected by `setTime`). */
declare function getTime(): number;
declare function digitalWrite(pin: EspruinoPin, value: boolean | number): void;
declare function digitalRead(pin: EspruinoPin): number;
declare function pinMode(pin: EspruinoPin, mode: 'input' | 'input_pullup' | 'input_pulldown' | 'output' | 'opendrain'): void;
declare function analogRead(pin: EspruinoPin): number;
