/**
 * The hardware abstraction layer: the only door between dormouse's engine-neutral core (`src/`,
 * `firmware/app.ts`) and a machine. Two implementations exist: `hal/esp32/` (Espruino on an
 * ESP32) and `hal/sim/` (Node, real sockets, files as flash). This file imports nothing and
 * declares types only, so the core can depend on it on every engine.
 *
 * Rules every implementation keeps:
 * - A failure is thrown (or rejected) as a {@link HalFailure}: an `Error` whose `code` is one of
 *   {@link HalErrorCode} and whose message says what was expected and what happened. The core
 *   reports that code in the status line; it never has to guess.
 * - Nothing secret (keys, tokens, private keys) appears in a message, a log line or a code.
 * - Calls never block forever: every network call takes a timeout.
 */

/** Codes a HAL raises. Each ends up in the reported status (`error: ENET: …`). */
export type HalErrorCode =
  /** The network interface did not come up (Wi-Fi join, DHCP). */
  | 'ENET'
  /** A host name did not resolve. */
  | 'EDNS'
  /** Connection refused, reset, or closed before the response was complete. */
  | 'ECONN'
  /** TLS handshake failed, or the server certificate / host name did not verify. */
  | 'ETLS'
  /** A step did not finish within its timeout. */
  | 'ETIMEOUT'
  /** The peer's HTTP response was malformed (bad status line, bad chunking, garbage). */
  | 'EHTTP'
  /** A datagram could not be sent or received. */
  | 'EUDP'
  /** Flash could not be read or written. */
  | 'ESTORAGE'
  /** Flash is full. */
  | 'EFULL'
  /** Not enough free memory for the operation (e.g. a TLS handshake). */
  | 'EMEM'
  /**
   * The simulator cut the power (fault injection). The core must let it propagate: on a chip
   * a power cut simply stops the program.
   */
  | 'EPOWER';

/** An error raised by a HAL: a plain `Error` with a {@link HalErrorCode}. */
export interface HalFailure extends Error {
  readonly code: HalErrorCode;
}

/** The wall clock and timers of the device. */
export interface Clock {
  /** Milliseconds since the Unix epoch, as the device currently believes. */
  now(): number;
  /** Set the wall clock (milliseconds since the Unix epoch), e.g. after an SNTP exchange. */
  set(epochMs: number): void;
  /**
   * When the clock was last set (epoch ms, by the device's clock), provided it has run without
   * interruption since; `undefined` after a power loss or if it was never set. Deep sleep does
   * not interrupt the clock; a power cut does.
   */
  trustedSince(): number | undefined;
  /** Milliseconds since this wake began, monotonic (unaffected by {@link Clock.set}). */
  uptime(): number;
  /** Call `fn` once after `ms` milliseconds; returns a function that cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
}

/** What the network interface reports once it is up. */
export interface NetInfo {
  /** The device's address, when known. */
  readonly ip?: string;
  /** Received signal strength in dBm, when known (Wi-Fi). */
  readonly rssi?: number;
}

/** The network interface (Wi-Fi on a board). */
export interface Net {
  /** Bring the interface up; rejects with `ENET` (and the reason) after `timeoutMs`. */
  up(timeoutMs: number): Promise<NetInfo>;
  /** Turn the radio off before deep sleep. Never throws. */
  down(): Promise<void>;
}

/** HTTP methods the core uses. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD' | 'PATCH';

/** TLS settings of a request. PEM texts are contents, never file names. */
export interface TlsOptions {
  /** PEM of the CA(s) the server certificate must chain to. Without it the engine's default. */
  readonly ca?: string;
  /** PEM client certificate (X.509 authentication). */
  readonly cert?: string;
  /** PEM private key of `cert`. */
  readonly key?: string;
  /** Name sent as SNI and checked against the certificate; defaults to the request host. */
  readonly servername?: string;
}

/** One HTTP request. */
export interface HttpRequest {
  readonly method: HttpMethod;
  /** `https` (TLS) or `http` (plain; only for a local cloud). */
  readonly scheme: 'https' | 'http';
  readonly host: string;
  readonly port: number;
  /** Path and query exactly as they go on the wire (already percent-encoded). */
  readonly path: string;
  /** Header names as given; the HAL adds `Host`, `Content-Length` and `Connection` itself. */
  readonly headers: Readonly<Record<string, string>>;
  /** Body text; its `Content-Length` is counted in UTF-8 bytes by the HAL. */
  readonly body?: string;
  readonly tls?: TlsOptions;
  /** Whole-request timeout (connect, send, receive); rejects with `ETIMEOUT`. */
  readonly timeoutMs: number;
}

/** One HTTP response, read completely (Content-Length or chunked). */
export interface HttpResponse {
  readonly status: number;
  /** Header names in lower case; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** Body decoded as UTF-8 text. */
  readonly body: string;
  /** Bytes written and read on the wire for this exchange (headers included), for the timeline. */
  readonly bytesOut: number;
  readonly bytesIn: number;
}

/**
 * An HTTP/1.1 client. It keeps one connection open between requests to the same host and port
 * (the GET and the POST of a wake share it) until {@link Http.close}.
 */
export interface Http {
  request(req: HttpRequest): Promise<HttpResponse>;
  /** Close any kept-alive connection. Never throws. */
  close(): void;
}

/** One-datagram exchanges (SNTP). */
export interface Udp {
  /**
   * Send `packet` to `host:port` and resolve with the first datagram that comes back;
   * rejects with `ETIMEOUT` after `timeoutMs`, `EDNS` or `EUDP` on failure.
   */
  exchange(host: string, port: number, packet: Uint8Array, timeoutMs: number): Promise<Uint8Array>;
}

/**
 * Hashing, native where the engine has it. Synchronous: both engines hash synchronously, and
 * the signer runs on a hot path.
 */
export interface Crypto {
  sha256(data: Uint8Array): Uint8Array;
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  /**
   * The UTF-8 bytes of a string as this engine holds it. On Node a string is UTF-16 and must be
   * encoded; on an ESP32 a string already is its bytes (8-bit chars). The signer goes through
   * this, so every engine signs the same bytes.
   */
  utf8(text: string): Uint8Array;
  /** `n` random bytes (jitter, client tokens). Not required to be cryptographically strong. */
  random(n: number): Uint8Array;
}

/**
 * Small named files in flash. Each `write` is atomic: after a power cut the file holds either
 * the old or the new contents, never a mix. Names are at most 28 characters (Espruino Storage).
 */
export interface Storage {
  /** The file's contents, or `undefined` when it does not exist. */
  read(name: string): string | undefined;
  /** Replace the file atomically. Throws `EFULL` or `ESTORAGE`. */
  write(name: string, data: string): void;
  /** Remove the file if it exists. */
  remove(name: string): void;
}

/**
 * A few hundred bytes that survive deep sleep but not a power loss (RTC memory on a chip; on an
 * ESP32 under Espruino a Storage file invalidated on a power-on boot).
 */
export interface Rtc {
  read(): string | undefined;
  write(data: string): void;
}

/** The indicator the `signal` key blinks: an LED on a board, the terminal in the simulator. */
export interface Indicator {
  set(on: boolean): void;
}

/** Why this wake started. */
export type WakeReason = 'power-on' | 'timer' | 'reset' | 'watchdog' | 'unknown';

/** Power management. */
export interface Power {
  /**
   * Enter deep sleep for `seconds`. On a chip it never returns (the next wake reboots);
   * the simulator resolves when it has ended the wake. Nothing survives but flash and RTC.
   */
  deepSleep(seconds: number): Promise<void>;
  wakeReason(): WakeReason;
  /** Battery voltage in volts, when the board can measure it. */
  batteryVolts(): number | undefined;
}

/** A hardware watchdog that reboots the device if not kicked in time. */
export interface Watchdog {
  start(timeoutSeconds: number): void;
  kick(): void;
}

/** Log levels. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The console. Never given secrets. */
export interface Log {
  write(level: LogLevel, message: string): void;
}

/** Memory figures of the engine. */
export interface MemoryInfo {
  /** Free bytes (ESP32: free heap; Node: heap limit − used). */
  readonly free: number;
  /** Total bytes available to the engine. */
  readonly total: number;
}

/** Facts about this device. */
export interface Device {
  /** Stable hardware id (ESP32: `getSerial()`); the thing name defaults to a form of it. */
  id(): string;
  /** Default thing name when the config names none (`ESP-<serial>` on a board, `id-1` in the simulator). */
  defaultThingName(): string;
  /** Which engine runs the firmware: lets the core pick sane defaults, never to branch logic. */
  readonly engine: 'espruino' | 'node';
  memory(): MemoryInfo;
}

/** Everything the core may use on a machine. */
export interface Hal {
  readonly clock: Clock;
  readonly net: Net;
  readonly http: Http;
  readonly udp: Udp;
  readonly crypto: Crypto;
  readonly storage: Storage;
  readonly rtc: Rtc;
  readonly indicator: Indicator;
  readonly power: Power;
  readonly watchdog: Watchdog;
  readonly log: Log;
  readonly device: Device;
}
