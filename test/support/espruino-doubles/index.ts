/**
 * An ESP32 running Espruino, as doubles in a `node:vm` sandbox: the board (flash, access point,
 * firmware flavour, heap) is an {@link EspruinoBoard} that outlives wakes; each wake is a fresh
 * Espruino-shaped context (see realm.ts) holding only Espruino's builtins plus these globals:
 * `require` ('Storage', 'tls', 'net', 'dgram', 'crypto', 'Wifi'), `E`, `ESP32`, `process`,
 * `getSerial`, `setTime`, `getTime`, `digitalWrite`/`digitalRead`/`pinMode`/`analogRead`,
 * `atob`/`btoa`, timers, `console`/`print`.
 *
 * Like the chip, nothing runs after `ESP32.deepSleep(us)`: the wake is over, its timers and
 * sockets are dropped, and the next wake starts from `.bootcde` with only the flash kept.
 */
import net from 'node:net';
import { crc32, flattenBytes } from './bytes.js';
import { createCryptoModule } from './crypto.js';
import { createDgramModule } from './dgram.js';
import { createRealm, internalError, type Realm } from './realm.js';
import { createSocketModule, type FirmwareFlavour, type SocketEnv } from './sockets.js';
import { createStorageModule, FlashDouble } from './storage.js';
import { createWifiModule, DEFAULT_AP, type AccessPoint } from './wifi.js';

export { FlashDouble, PowerCut } from './storage.js';
export { DEFAULT_AP, type AccessPoint } from './wifi.js';
export type { FirmwareFlavour } from './sockets.js';

/** The board: what outlives a wake. */
export interface BoardOptions {
  readonly flavour: FirmwareFlavour;
  readonly ap: AccessPoint;
  readonly hosts: Readonly<Record<string, string>>;
  /** `ESP32.getState().freeHeap`. */
  readonly freeHeap: number;
  readonly serial: string;
  /** Flash capacity in bytes. */
  readonly flashBytes: number;
  /** After a power-on the system clock restarts at 0 (1970), as on a chip; `keep` leaves it right. */
  readonly powerOnClock: 'epoch' | 'keep';
  /** Echo the board's console to the test's stdout. */
  readonly echo: boolean;
}

/** Defaults of {@link BoardOptions}. */
export const BOARD_DEFAULTS: BoardOptions = {
  flavour: 'dormouse',
  ap: DEFAULT_AP,
  hosts: {},
  freeHeap: 110000,
  serial: '30aea4112233',
  flashBytes: 896 * 1024,
  powerOnClock: 'keep',
  echo: false,
};

/** How a wake ended. */
export interface WakeResult {
  /** `deepSleep` argument in µs, or undefined when the wake timed out awake. */
  readonly sleepUs?: number;
  readonly console: readonly string[];
  /** Uncaught errors (what Espruino prints as `Uncaught …`). */
  readonly uncaught: readonly string[];
  readonly awakeMs: number;
  readonly watchdog: { readonly started?: number; readonly auto?: boolean; readonly kicks: number };
  readonly pins: Readonly<Record<string, number[]>>;
  readonly connections: SocketEnv['log'];
  readonly datagrams: readonly { host: string; port: number; bytes: number }[];
  readonly sha256Calls: number;
  readonly wifi: { readonly connects: number; readonly disconnects: number };
}

/** One wake's switches. */
export interface WakeOptions {
  /** `ESP32.getWakeupCause()`: 0 power-on/reset, 4 timer. */
  readonly cause: number;
  /** Give up (and report no sleep) after this long awake. */
  readonly timeoutMs: number;
  /** Code run before the bundle in the same context (a prelude). */
  readonly prelude?: string;
  /** Pins read low at boot (e.g. `['D0']` holds BOOT). */
  readonly lowPins?: readonly string[];
  /** Raise Espruino's `errorFlag` event with these flags after `atMs`. */
  readonly errorFlag?: { readonly atMs: number; readonly flags: readonly ErrorFlag[] };
}

/** An ESP32 board with Espruino, driven wake by wake. */
export class EspruinoBoard {
  readonly options: BoardOptions;
  readonly flash: FlashDouble;
  /** Offset of the board's clock from the host's, ms (setTime moves it). */
  clockOffsetMs = 0;
  wakes = 0;

  constructor(options?: Partial<BoardOptions>) {
    this.options = { ...BOARD_DEFAULTS, ...options };
    this.flash = new FlashDouble(this.options.flashBytes);
  }

  /** Write a file into Storage as the `espruino` CLI's `--storage` would. */
  upload(name: string, contents: string): void {
    this.flash.files.set(name.substring(0, 28), Buffer.from(contents, 'utf8').toString('latin1'));
  }

  /** Read a Storage file as UTF-8 text. */
  file(name: string): string | undefined {
    const v = this.flash.files.get(name);
    return v === undefined ? undefined : Buffer.from(v, 'latin1').toString('utf8');
  }

  /** Boot the board and run `code` (the `.bootcde`) until it deep-sleeps or `timeoutMs` passes. */
  wake(code: string, options?: Partial<WakeOptions>): Promise<WakeResult> {
    return this.boot(code, options).result;
  }

  /**
   * Boot the board and evaluate `code` right away; the returned wake gives the sandbox's global
   * object (to drive what the code defined from the test) and the result once it deep-sleeps,
   * times out, or `end()` is called.
   */
  boot(code: string, options?: Partial<WakeOptions>): LiveWake {
    const o: WakeOptions = { cause: this.wakes === 0 ? 0 : 4, timeoutMs: 30000, ...options };
    this.wakes++;
    if (o.cause === 0 && this.options.powerOnClock === 'epoch') this.clockOffsetMs = -Date.now() + 1000;
    return startWake(this, code, o);
  }
}

/** A wake in progress. */
export interface LiveWake {
  /** The sandbox's global object. */
  readonly global: Record<string, unknown>;
  /** Resolves when the wake ends. */
  readonly result: Promise<WakeResult>;
  /** Pull the plug now (no deep sleep). */
  end(): void;
}

function startWake(board: EspruinoBoard, code: string, o: WakeOptions): LiveWake {
  const started = Date.now();
  const realm: Realm = createRealm(() => board.clockOffsetMs);
  const consoleLines: string[] = [];
  const uncaught: string[] = [];
  const pins: Record<string, number[]> = {};
  const watchdog: { started?: number; auto?: boolean; kicks: number } = { kicks: 0 };
  const counters = { sha256: 0 };
  const wifiState = { connected: false, connects: 0, disconnects: 0 };
  const datagrams: { host: string; port: number; bytes: number }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const uncaughtHandlers: ((e: unknown) => void)[] = [];
  const errorFlagHandlers: ((f: string[]) => void)[] = [];
  let halted = false;
  let finish: (r: WakeResult) => void = () => undefined;
  const done = new Promise<WakeResult>((resolve) => {
    finish = resolve;
  });

  const report = (e: unknown): void => {
    const text = e !== null && typeof e === 'object' && 'message' in (e as object) ? String((e as { message: unknown }).message) : String(e);
    if (uncaughtHandlers.length > 0) {
      for (const h of uncaughtHandlers) {
        try {
          h(e);
        } catch (e2) {
          uncaught.push(String(e2));
        }
      }
    } else {
      uncaught.push(text);
      line(`Uncaught ${text}`);
    }
  };
  const line = (text: string): void => {
    consoleLines.push(text);
    if (board.options.echo) process.stdout.write(`  [esp32] ${text}\n`);
  };
  const guard = (fn: () => void) => (): void => {
    if (halted) return;
    try {
      fn();
    } catch (e) {
      report(e);
    }
  };
  const queue = (fn: () => void, ms?: number): void => {
    if (halted) return;
    if (ms === undefined || ms <= 0) {
      setImmediate(guard(fn));
      return;
    }
    const t = setTimeout(() => {
      timers.delete(t);
      guard(fn)();
    }, ms);
    timers.add(t);
  };
  const env: SocketEnv = {
    flavour: board.options.flavour,
    hosts: board.options.hosts,
    queue,
    uncaught: report,
    open: new Set<net.Socket>(),
    log: [],
  };

  const end = (sleepUs: number | undefined): void => {
    if (halted) return;
    halted = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
    for (const s of env.open) {
      try {
        (s as unknown as { destroy?: () => void; close?: () => void }).destroy?.();
      } catch {
        // gone
      }
    }
    realm.sandbox.dispose();
    finish({
      sleepUs,
      console: consoleLines,
      uncaught,
      awakeMs: Date.now() - started,
      watchdog,
      pins,
      connections: env.log,
      datagrams,
      sha256Calls: counters.sha256,
      wifi: { connects: wifiState.connects, disconnects: wifiState.disconnects },
    });
  };

  const modules: Record<string, Record<string, unknown>> = {
    Storage: createStorageModule(board.flash, realm, () => end(undefined)),
    tls: createSocketModule(env, true),
    net: createSocketModule(env, false),
    dgram: createDgramModule(env, realm, datagrams),
    crypto: createCryptoModule(realm, counters),
    Wifi: createWifiModule(board.options.ap, queue, wifiState, realm.clone),
  };
  const toU8 = (bytes: number[]): Uint8Array => {
    const u = new realm.Uint8Array(bytes.length);
    u.set(bytes);
    return u;
  };
  const low = new Set(o.lowPins || []);
  const globals: Record<string, unknown> = {
    require(name: string): unknown {
      const m = modules[name];
      if (m === undefined) throw new realm.Error(`Module "${name}" not found`);
      return m;
    },
    E: {
      enableWatchdog(timeout: number, isAuto?: boolean): void {
        watchdog.started = timeout;
        watchdog.auto = isAuto === undefined ? true : Boolean(isAuto);
      },
      kickWatchdog(): void {
        watchdog.kicks++;
      },
      getErrorFlags: () => realm.clone([]),
      on(event: string, fn: (f: string[]) => void): void {
        if (event === 'errorFlag') errorFlagHandlers.push(fn);
      },
      toUint8Array: (...args: unknown[]) => toU8(flattenBytes(args)),
      toString: (...args: unknown[]) => String.fromCharCode(...flattenBytes(args)),
      CRC32: (data: unknown) => crc32(flattenBytes([data])),
      hwRand: () => (Math.random() * 4294967296) | 0,
      // ESP32 builds have no Unicode support (no ESPR_UNICODE_SUPPORT).
      isUTF8: () => false,
      asUTF8: () => {
        throw new realm.Error('Unicode not supported on this build');
      },
    },
    ESP32: {
      deepSleep(us: number): void {
        line(`[deepSleep ${us} us]`);
        end(Math.floor(us));
      },
      getWakeupCause: () => o.cause,
      getState: () => realm.clone({ sdkVersion: 'v3.3.1', freeHeap: board.options.freeHeap, minHeap: board.options.freeHeap - 20000, BLE: false, Wifi: true }),
    },
    process: {
      memory: () => realm.clone({ free: 12000, usage: 4383, total: 16383, history: 0, gc: 0, gctime: 0, blocksize: 14 }),
      on(event: string, fn: (e: unknown) => void): void {
        if (event === 'uncaughtException') uncaughtHandlers.push(fn);
      },
      env: realm.clone({ BOARD: 'ESP32', VERSION: '2v29' }),
      version: '2v29',
    },
    getSerial: () => board.options.serial,
    setTime(seconds: number): void {
      board.clockOffsetMs = seconds * 1000 - Date.now();
    },
    getTime: () => (Date.now() + board.clockOffsetMs) / 1000,
    digitalWrite(pin: unknown, value: unknown): void {
      const name = String(pin);
      if (!/^D\d+$/.test(name) && typeof pin !== 'number') throw internalError(`Invalid pin ${name}`);
      (pins[name] ||= []).push(value ? 1 : 0);
    },
    digitalRead: (pin: unknown) => (low.has(String(pin)) ? 0 : 1),
    pinMode: () => undefined,
    analogRead: () => 0.62,
    atob: (s: string) => Buffer.from(String(s), 'base64').toString('latin1'),
    btoa: (s: string) => Buffer.from(String(s), 'latin1').toString('base64'),
    setTimeout(fn: () => void, ms?: number): unknown {
      if (halted) return 0;
      const t = setTimeout(() => {
        timers.delete(t);
        guard(fn)();
      }, ms || 0);
      timers.add(t);
      return t;
    },
    clearTimeout(t: NodeJS.Timeout): void {
      timers.delete(t);
      clearTimeout(t);
    },
    setInterval(fn: () => void, ms: number): unknown {
      const t = setInterval(guard(fn), ms);
      timers.add(t);
      return t;
    },
    clearInterval(t: NodeJS.Timeout): void {
      timers.delete(t);
      clearInterval(t);
    },
    console: { log: (...a: unknown[]) => line(a.map(String).join(' ')) },
    print: (...a: unknown[]) => line(a.map(String).join(' ')),
  };
  for (const k of Object.keys(globals)) realm.sandbox.global[k] = globals[k];

  // Unhandled rejections inside the sandbox surface as host unhandled rejections: count them as Espruino's "Uncaught".
  const giveUp = setTimeout(() => end(undefined), o.timeoutMs);
  const flag = o.errorFlag;
  if (flag !== undefined) queue(() => errorFlagHandlers.forEach((h) => h(realm.clone([...flag.flags]))), flag.atMs);
  void done.then(() => clearTimeout(giveUp));
  guard(() => {
    if (o.prelude !== undefined) realm.sandbox.run(o.prelude, 'prelude.js');
    realm.sandbox.run(code, '.bootcde');
  })();
  return { global: realm.sandbox.global, result: done, end: () => end(undefined) };
}

/** Flags of Espruino's `errorFlag` event. */
export type ErrorFlag = 'LOW_MEMORY' | 'MEMORY' | 'FIFO_FULL';
