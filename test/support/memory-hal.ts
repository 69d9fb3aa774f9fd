/**
 * TEST DOUBLE. An in-memory {@link Hal} for the device core's tests: a fake clock whose time
 * only moves when a timer is due (auto-advanced between event-loop turns) or a test says so,
 * flash and RTC memory with power-cut semantics, a recording indicator, watchdog and log, a fake
 * network, an SNTP responder on UDP, and a fake AWS IoT shadow service over `http` (GET/POST
 * `/things/{thing}/shadow`, desired/reported/metadata/version, `Date` headers, a 5-minute
 * clock-skew check on `X-Amz-Date` that answers 403 `Signature expired`). It checks no
 * signature: the local cloud (`cloud/`) is the faithful one.
 *
 * Machine model:
 * - `trueNow` is real time; the device clock reads `trueNow + offset` and drifts by `drift`
 *   (0.02 = runs 2 % fast) whenever time passes.
 * - `deepSleep(s)` ends the wake: timers die, `s` seconds pass, RTC memory and the clock survive,
 *   the next wake's reason is `timer`.
 * - `powerCut()` (or an injected fault) stops everything: RTC memory and clock trust are lost,
 *   flash keeps what was written (writes are atomic), the next wake's reason is `power-on`.
 */
import { createHash, createHmac } from 'node:crypto';
import type {
  Clock, Crypto, Device, Hal, HalErrorCode, HalFailure, Http, HttpRequest, HttpResponse, Indicator, Log, LogLevel,
  MemoryInfo, Net, NetInfo, Power, Rtc, Storage, Udp, WakeReason, Watchdog,
} from '../../hal/hal.js';
import { SignalThing } from '../../firmware/things/signal-thing.js';
import { runWake } from '../../src/cycle.js';
import type { JsonObject } from '../../src/json.js';
import type { BaseThing } from '../../src/thing.js';
import type { WakeOptions } from '../../src/wake-options.js';
import type { CloudPort, TimePort } from '../../src/wake-ports.js';
import type { WakeSummary } from '../../src/wake-summary.js';

/** A HAL failure (an Error with a code). */
export function halFailure(code: HalErrorCode, message: string): HalFailure {
  const e = new Error(message) as Error & { code: HalErrorCode };
  e.code = code;
  return e;
}

/** 2025-01-15T12:00:00Z: the default true time at creation. */
export const DEFAULT_START = Date.UTC(2025, 0, 15, 12, 0, 0);

// -------------------------------------------------------------------------------------------
// Clock

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/** A fake clock with controllable time and timers. */
export class FakeClock implements Clock {
  /** Real time, epoch ms. */
  trueNow: number;
  /** Device clock minus true time, ms. */
  offset: number;
  /** Device clock rate error (0.01: 1 % fast). */
  drift: number;
  /** Fire due timers automatically between event-loop turns. */
  auto: boolean;
  private trusted: number | undefined;
  private up = 0;
  private timers: Timer[] = [];
  private seq = 0;
  private scheduled = false;

  constructor(trueNow: number, deviceNow: number | undefined, drift: number, auto: boolean) {
    this.trueNow = trueNow;
    this.offset = deviceNow === undefined ? -trueNow : deviceNow - trueNow;
    this.trusted = deviceNow === undefined ? undefined : deviceNow;
    this.drift = drift;
    this.auto = auto;
  }

  now(): number {
    return Math.floor(this.trueNow + this.offset);
  }

  set(epochMs: number): void {
    this.offset = epochMs - this.trueNow;
    this.trusted = epochMs;
  }

  trustedSince(): number | undefined {
    return this.trusted;
  }

  uptime(): number {
    return this.up;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const t: Timer = { id: ++this.seq, at: this.up + (ms > 0 ? ms : 0), fn };
    this.timers.push(t);
    this.schedule();
    return () => {
      this.timers = this.timers.filter((x) => x.id !== t.id);
    };
  }

  /** Timers not yet fired. */
  pendingTimers(): number {
    return this.timers.length;
  }

  /** Lets `ms` of time pass, firing due timers in order (synchronously). */
  advance(ms: number): void {
    const target = this.up + ms;
    for (;;) {
      const next = this.earliest();
      if (!next || next.at > target) break;
      this.pass(next.at - this.up);
      this.timers = this.timers.filter((x) => x.id !== next.id);
      next.fn();
    }
    this.pass(target - this.up);
  }

  /** Moves time without firing anything (sleep, or the time to a due timer). */
  pass(ms: number): void {
    if (ms <= 0) return;
    this.up += ms;
    this.trueNow += ms;
    this.offset += ms * this.drift;
  }

  /** A chip reset: timers die, uptime restarts. */
  reboot(): void {
    this.timers = [];
    this.up = 0;
  }

  /** Power lost: as {@link reboot}, and the clock restarts from 0, untrusted. */
  loseTime(): void {
    this.reboot();
    this.offset = -this.trueNow;
    this.trusted = undefined;
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) if (!best || t.at < best.at || (t.at === best.at && t.id < best.id)) best = t;
    return best;
  }

  private schedule(): void {
    if (!this.auto || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const next = this.earliest();
      if (!next) return;
      this.pass(next.at - this.up);
      this.timers = this.timers.filter((x) => x.id !== next.id);
      next.fn();
      if (this.timers.length > 0) this.schedule();
    });
  }
}

// -------------------------------------------------------------------------------------------
// Fake cloud

/** One request the fake cloud saw. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly thing?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** True time when it arrived. */
  readonly at: number;
  /** Device uptime when its response was delivered (undefined if never). */
  respondedUptime?: number;
  readonly status: number;
}

interface Shadow {
  desired: Record<string, unknown> | undefined;
  reported: Record<string, unknown> | undefined;
  metaDesired: Record<string, unknown>;
  metaReported: Record<string, unknown>;
  version: number;
}

/** A canned failure the fake cloud answers with. */
export interface CannedFailure {
  readonly status: number;
  readonly type?: string;
  readonly message?: string;
  /** Only for this method. */
  readonly method?: string;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'InvalidRequestException', 401: 'UnauthorizedException', 403: 'ForbiddenException', 404: 'ResourceNotFoundException',
  409: 'ConflictException', 429: 'ThrottlingException', 500: 'InternalFailureException', 503: 'ServiceUnavailableException',
};

function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function amzDate(t: number): string {
  return new Date(t).toISOString().replace(/[-:]/g, '').replace(/\.\d\d\dZ$/, 'Z');
}

function parseAmzDate(s: string | undefined): number | undefined {
  const m = s ? /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(s) : null;
  if (!m) return undefined;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/** The fake AWS IoT shadow service. */
export class FakeCloud {
  readonly shadows = new Map<string, Shadow>();
  readonly requests: SeenRequest[] = [];
  /** Failures to answer with, first come first served. */
  readonly failures: CannedFailure[] = [];
  /** Latency of every answer (fake time). */
  latencyMs = 20;
  /** Extra latency of POST answers (fake time), e.g. a slow acceptance. */
  postLatencyMs = 0;
  /** Requests from now on never get an answer (the HAL times them out). */
  hang = false;
  /** SigV4 clock window. */
  skewLimitMs = 5 * 60 * 1000;

  private get(thing: string): Shadow {
    let s = this.shadows.get(thing);
    if (!s) {
      s = { desired: undefined, reported: undefined, metaDesired: {}, metaReported: {}, version: 0 };
      this.shadows.set(thing, s);
    }
    return s;
  }

  /** Merges `patch` into desired (null deletes) at true time `at`, as an app's update would. */
  setDesired(thing: string, patch: Record<string, unknown>, at: number): void {
    const s = this.get(thing);
    if (!s.desired) s.desired = {};
    for (const k of Object.keys(patch)) {
      if (patch[k] === null) {
        delete s.desired[k];
        delete s.metaDesired[k];
      } else {
        setOwn(s.desired, k, patch[k]);
        setOwn(s.metaDesired, k, { timestamp: Math.floor(at / 1000) });
      }
    }
    s.version++;
  }

  /** Replaces desired with the object in `json` (any keys, parsed like the wire would be). */
  setDesiredRaw(thing: string, json: string, at: number): void {
    const s = this.get(thing);
    const parsed = JSON.parse(json) as Record<string, unknown>;
    s.desired = parsed;
    s.metaDesired = {};
    for (const k of Object.keys(parsed)) setOwn(s.metaDesired, k, { timestamp: Math.floor(at / 1000) });
    s.version++;
  }

  /** Removes a shadow (GET answers 404 afterwards). */
  deleteShadow(thing: string): void {
    this.shadows.delete(thing);
  }

  /** The reported section of a thing's shadow. */
  reported(thing: string): Record<string, unknown> | undefined {
    const s = this.shadows.get(thing);
    return s ? s.reported : undefined;
  }

  /** The shadow version. */
  version(thing: string): number {
    const s = this.shadows.get(thing);
    return s ? s.version : 0;
  }

  /** POST requests seen. */
  posts(): SeenRequest[] {
    return this.requests.filter((r) => r.method === 'POST');
  }

  /** Handles one request at true time `now`. */
  handle(req: HttpRequest, now: number): { status: number; headers: Record<string, string>; body: string } {
    const headers: Record<string, string> = {};
    for (const k of Object.keys(req.headers)) headers[k.toLowerCase()] = req.headers[k] as string;
    const path = req.path.split('?')[0] as string;
    const m = /^\/things\/([^/]+)\/shadow$/.exec(path);
    const thing = m ? decodeURIComponent(m[1] as string) : undefined;
    const respond = (status: number, body: unknown, extra?: Record<string, string>) => {
      const h: Record<string, string> = { 'content-type': 'application/json', date: new Date(now).toUTCString(), ...(extra || {}) };
      if (status >= 400) h['x-amzn-errortype'] = `${ERROR_TYPES[status] || String(status)}:`;
      const seen: SeenRequest = { method: req.method, path: req.path, headers, body: req.body, at: now, status };
      this.requests.push(thing !== undefined ? { ...seen, thing } : seen);
      return { status, headers: h, body: typeof body === 'string' ? body : JSON.stringify(body) };
    };
    const fi = this.failures.findIndex((f) => !f.method || f.method === req.method);
    if (fi >= 0) {
      const f = this.failures.splice(fi, 1)[0] as CannedFailure;
      return respond(f.status, { code: f.status, message: f.message || 'canned failure' }, f.type ? { 'x-amzn-errortype': `${f.type}:` } : undefined);
    }
    const signedAt = parseAmzDate(headers['x-amz-date']);
    if (signedAt !== undefined && Math.abs(signedAt - now) > this.skewLimitMs) {
      const earliest = now - this.skewLimitMs;
      const msg = signedAt < now
        ? `Signature expired: ${amzDate(signedAt)} is now earlier than ${amzDate(earliest)} (${amzDate(now)} - 5 min.)`
        : `Signature not yet current: ${amzDate(signedAt)} is still later than ${amzDate(now + this.skewLimitMs)} (${amzDate(now)} + 5 min.)`;
      return respond(403, { message: msg });
    }
    if (thing === undefined) return respond(404, { code: 404, message: 'Not Found' });
    const s = this.shadows.get(thing);
    if (req.method === 'GET') {
      if (!s || (s.desired === undefined && s.reported === undefined && s.version === 0)) {
        return respond(404, { code: 404, message: `No shadow exists with name: '${thing}'` });
      }
      const state: Record<string, unknown> = {};
      const metadata: Record<string, unknown> = {};
      if (s.desired) { state.desired = s.desired; metadata.desired = s.metaDesired; }
      if (s.reported) { state.reported = s.reported; metadata.reported = s.metaReported; }
      if (s.desired) {
        const delta: Record<string, unknown> = {};
        for (const k of Object.keys(s.desired)) {
          if (!s.reported || JSON.stringify(s.reported[k]) !== JSON.stringify(s.desired[k])) setOwn(delta, k, s.desired[k]);
        }
        if (Object.keys(delta).length > 0) state.delta = delta;
      }
      return respond(200, { state, metadata, version: s.version, timestamp: Math.floor(now / 1000) });
    }
    if (req.method === 'POST') {
      let doc: { state?: { reported?: Record<string, unknown> } };
      try {
        doc = JSON.parse(req.body || '');
      } catch {
        return respond(400, { code: 400, message: 'Invalid JSON' });
      }
      if (!doc || typeof doc.state !== 'object' || doc.state === null) return respond(400, { code: 400, message: 'Missing required node: state' });
      const sh = this.get(thing);
      const rep = doc.state.reported;
      const metaRep: Record<string, unknown> = {};
      if (rep && typeof rep === 'object') {
        if (!sh.reported) sh.reported = {};
        for (const k of Object.keys(rep)) {
          if (rep[k] === null) delete sh.reported[k];
          else {
            setOwn(sh.reported, k, rep[k]);
            setOwn(sh.metaReported, k, { timestamp: Math.floor(now / 1000) });
            setOwn(metaRep, k, { timestamp: Math.floor(now / 1000) });
          }
        }
      }
      sh.version++;
      return respond(200, { state: doc.state, metadata: { reported: metaRep }, version: sh.version, timestamp: Math.floor(now / 1000) });
    }
    return respond(405, { code: 405, message: 'Method Not Allowed' });
  }
}

// -------------------------------------------------------------------------------------------
// The HAL

/** Faults a test can inject. */
export interface Faults {
  /** `net.up` rejects with this (after a short delay), or hangs until its timeout. */
  net?: { code: HalErrorCode; message: string } | 'hang';
  /** Every `http.request` rejects with this code. */
  http?: HalErrorCode;
  /** SNTP: no reply (ETIMEOUT after the timeout), or a reply that is not SNTP. */
  ntp?: 'timeout' | 'garbage';
  /** The nth `indicator.set` call from now on (1 = the next) cuts the power. */
  powerCutOnIndicatorCall?: number;
  /** Writing this flash file cuts the power (the write does not happen: writes are atomic). */
  powerCutOnWrite?: string;
  /** Flash writes fail with this code. */
  storage?: HalErrorCode;
}

/** Options of {@link MemoryHal}. */
export interface MemoryHalOptions {
  /** True time at creation (default {@link DEFAULT_START}). */
  readonly start?: number;
  /** Device clock at creation; undefined (default): a fresh power-on, clock at 0, untrusted. */
  readonly deviceNow?: number;
  /** Device clock rate error (default 0). */
  readonly drift?: number;
  /** Fire timers automatically (default true). */
  readonly autoAdvance?: boolean;
  /** The thing name the device defaults to (default `id-1`). */
  readonly thingName?: string;
  /** Flash files at creation. */
  readonly files?: Readonly<Record<string, string>>;
  readonly memory?: MemoryInfo;
  readonly battery?: number;
  readonly rssi?: number;
  /** The fake cloud (default: a new one). */
  readonly cloud?: FakeCloud;
  /** Seed of the random bytes (default 1). */
  readonly seed?: number;
}

/** The in-memory HAL. Public fields are the test's controls and records. */
export class MemoryHal implements Hal {
  readonly clock: FakeClock;
  readonly cloud: FakeCloud;
  readonly faults: Faults = {};
  readonly files = new Map<string, string>();
  /** Flash writes per file name. */
  readonly writes = new Map<string, number>();
  rtcData: string | undefined;
  /** Indicator changes: on/off and the uptime. */
  readonly indicatorEvents: { on: boolean; at: number }[] = [];
  /** Log lines. */
  readonly logs: { level: LogLevel; message: string }[] = [];
  /** Seconds of each deep sleep, in order; `sleepUptimes` has the uptime each began at. */
  readonly sleeps: number[] = [];
  readonly sleepUptimes: number[] = [];
  /** Watchdog starts (seconds). */
  readonly watchdogStarts: number[] = [];
  /** Calls of net.up / net.down. */
  netUps = 0;
  netDowns = 0;
  /** UDP exchanges. */
  udpExchanges = 0;
  reason: WakeReason = 'power-on';
  battery: number | undefined;
  rssi: number | undefined;
  memoryInfo: MemoryInfo;
  private seed: number;
  private readonly thingName: string;

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

  constructor(o: MemoryHalOptions = {}) {
    this.clock = new FakeClock(o.start ?? DEFAULT_START, o.deviceNow, o.drift ?? 0, o.autoAdvance ?? true);
    this.cloud = o.cloud ?? new FakeCloud();
    this.thingName = o.thingName ?? 'id-1';
    this.memoryInfo = o.memory ?? { free: 120000, total: 200000 };
    this.battery = o.battery;
    this.rssi = o.rssi ?? -61;
    this.seed = o.seed ?? 1;
    if (o.files) for (const k of Object.keys(o.files)) this.files.set(k, o.files[k] as string);
    const self = this;

    this.net = {
      up(timeoutMs: number): Promise<NetInfo> {
        self.netUps++;
        const f = self.faults.net;
        return new Promise((resolve, reject) => {
          if (f === 'hang') {
            self.clock.setTimer(timeoutMs, () => reject(halFailure('ENET', `wifi join timed out after ${timeoutMs} ms`)));
            return;
          }
          self.clock.setTimer(f ? 50 : 300, () => {
            if (f) reject(halFailure(f.code, f.message));
            else resolve(self.rssi === undefined ? { ip: '10.0.0.7' } : { ip: '10.0.0.7', rssi: self.rssi });
          });
        });
      },
      down(): Promise<void> {
        self.netDowns++;
        return Promise.resolve();
      },
    };

    this.http = {
      request(req: HttpRequest): Promise<HttpResponse> {
        return new Promise((resolve, reject) => {
          const code = self.faults.http;
          if (code) {
            self.clock.setTimer(10, () => reject(halFailure(code, `cannot reach ${req.host}:${req.port}`)));
            return;
          }
          if (self.cloud.hang) {
            self.clock.setTimer(req.timeoutMs, () => reject(halFailure('ETIMEOUT', `no response from ${req.host}:${req.port} in ${req.timeoutMs} ms`)));
            return;
          }
          const delay = self.cloud.latencyMs + (req.method === 'POST' ? self.cloud.postLatencyMs : 0);
          if (delay > req.timeoutMs) {
            self.clock.setTimer(req.timeoutMs, () => reject(halFailure('ETIMEOUT', `no response from ${req.host}:${req.port} in ${req.timeoutMs} ms`)));
            return;
          }
          // The request reaches the server half-way; the answer arrives after the whole latency.
          self.clock.setTimer(Math.floor(delay / 2), () => {
            const r = self.cloud.handle(req, self.clock.trueNow);
            const seen = self.cloud.requests[self.cloud.requests.length - 1];
            self.clock.setTimer(delay - Math.floor(delay / 2), () => {
              if (seen) seen.respondedUptime = self.clock.uptime();
              const out = `${req.method} ${req.path} HTTP/1.1\r\n${Object.keys(req.headers).map((k) => `${k}: ${req.headers[k]}\r\n`).join('')}\r\n${req.body ?? ''}`;
              const inn = `HTTP/1.1 ${r.status}\r\n${Object.keys(r.headers).map((k) => `${k}: ${r.headers[k]}\r\n`).join('')}\r\n${r.body}`;
              resolve({ status: r.status, headers: r.headers, body: r.body, bytesOut: Buffer.byteLength(out), bytesIn: Buffer.byteLength(inn) });
            });
          });
        });
      },
      close(): void {},
    };

    this.udp = {
      exchange(_host: string, _port: number, packet: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
        self.udpExchanges++;
        return new Promise((resolve, reject) => {
          if (self.faults.ntp === 'timeout') {
            self.clock.setTimer(timeoutMs, () => reject(halFailure('ETIMEOUT', `no datagram in ${timeoutMs} ms`)));
            return;
          }
          self.clock.setTimer(10, () => {
            const t = self.clock.trueNow;
            self.clock.setTimer(10, () => {
              if (self.faults.ntp === 'garbage') resolve(new Uint8Array([1, 2, 3]));
              else resolve(sntpReply(packet, t, t));
            });
          });
        });
      },
    };

    this.crypto = {
      sha256: (d) => new Uint8Array(createHash('sha256').update(d).digest()),
      hmacSha256: (k, d) => new Uint8Array(createHmac('sha256', k).update(d).digest()),
      utf8: (t) => new Uint8Array(Buffer.from(t, 'utf8')),
      random: (n) => {
        const out = new Uint8Array(n);
        for (let i = 0; i < n; i++) {
          self.seed = (self.seed * 1103515245 + 12345) % 2147483648;
          out[i] = (self.seed >>> 16) & 0xff;
        }
        return out;
      },
    };

    this.storage = {
      read: (name) => self.files.get(name),
      write: (name, data) => {
        if (self.faults.powerCutOnWrite === name) {
          self.powerCut();
          throw halFailure('EPOWER', `power cut while writing ${name}`);
        }
        if (self.faults.storage) throw halFailure(self.faults.storage, `cannot write ${name}`);
        self.files.set(name, data);
        self.writes.set(name, (self.writes.get(name) ?? 0) + 1);
      },
      remove: (name) => {
        self.files.delete(name);
      },
    };

    this.rtc = {
      read: () => self.rtcData,
      write: (data) => {
        self.rtcData = data;
      },
    };

    this.indicator = {
      set(on: boolean): void {
        const n = self.faults.powerCutOnIndicatorCall;
        if (n !== undefined) {
          if (n <= 1) {
            delete self.faults.powerCutOnIndicatorCall;
            self.powerCut();
            throw halFailure('EPOWER', 'power cut (fault injection)');
          }
          self.faults.powerCutOnIndicatorCall = n - 1;
        }
        self.indicatorEvents.push({ on, at: self.clock.uptime() });
      },
    };

    this.power = {
      deepSleep(seconds: number): Promise<void> {
        self.sleeps.push(seconds);
        self.sleepUptimes.push(self.clock.uptime());
        self.clock.reboot();
        self.clock.pass(seconds * 1000);
        self.clock.reboot();
        self.reason = 'timer';
        return Promise.resolve();
      },
      wakeReason: () => self.reason,
      batteryVolts: () => self.battery,
    };

    this.watchdog = {
      start(s: number): void {
        self.watchdogStarts.push(s);
      },
      kick(): void {},
    };

    this.log = {
      write(level: LogLevel, message: string): void {
        self.logs.push({ level, message });
      },
    };

    this.device = {
      id: () => 'a1b2c3d4',
      defaultThingName: () => self.thingName,
      engine: 'node',
      memory: () => self.memoryInfo,
    };
  }

  /** Power lost: RTC memory and clock trust gone, timers dead; flash kept. Next wake: `power-on`. */
  powerCut(): void {
    this.rtcData = undefined;
    this.clock.loseTime();
    this.reason = 'power-on';
  }

  /** A watchdog reset: timers dead; RTC memory and clock kept. Next wake: `watchdog`. */
  watchdogReset(): void {
    this.clock.reboot();
    this.reason = 'watchdog';
  }

  /** Bits flipped in a flash file (it keeps its length). */
  damageFile(name: string): void {
    const v = this.files.get(name);
    if (v === undefined) return;
    const i = Math.floor(v.length / 2);
    this.files.set(name, v.substring(0, i) + (v.charAt(i) === 'x' ? 'y' : 'x') + v.substring(i + 1));
  }

  /** Every log line, status and persisted record, for secret checks. */
  everythingWritten(): string[] {
    const out = this.logs.map((l) => l.message);
    for (const [k, v] of this.files) if (k.indexOf('dormouse') === 0) out.push(v);
    if (this.rtcData) out.push(this.rtcData);
    return out;
  }
}

/** An SNTP server reply to `request`, server time `t2` (receive) / `t3` (transmit). */
export function sntpReply(request: Uint8Array, t2: number, t3: number): Uint8Array {
  const p = new Uint8Array(48);
  p[0] = (0 << 6) | (4 << 3) | 4;
  p[1] = 1;
  p[2] = request[2] ?? 6;
  p[3] = 0xec;
  p.set([0x47, 0x50, 0x53, 0x00], 12); // "GPS"
  const put = (at: number, ms: number) => {
    const s = Math.floor(ms / 1000) + 2208988800;
    const frac = Math.floor(((ms % 1000) / 1000) * 4294967296);
    new DataView(p.buffer).setUint32(at, s >>> 0);
    new DataView(p.buffer).setUint32(at + 4, frac >>> 0);
  };
  put(16, t2 - 1000);
  p.set(request.subarray(40, 48), 24);
  put(32, t2);
  put(40, t3);
  return p;
}

// -------------------------------------------------------------------------------------------
// Ports for cycle tests (no SigV4: the fake cloud does not check signatures)

/**
 * A {@link CloudPort} straight over `hal.http` to the fake cloud, dating each request with
 * `X-Amz-Date` from the device clock at the time it is made (so a wrong clock gets a 403).
 */
export function fakeCloudPort(hal: MemoryHal, thing = 'id-1', timeoutMs = 8000): CloudPort {
  const path = `/things/${encodeURIComponent(thing)}/shadow`;
  const call = async (method: 'GET' | 'POST', body?: string) => {
    const res = await hal.http.request({
      method, scheme: 'http', host: 'cloud.test', port: 80, path, headers: { 'X-Amz-Date': amzDate(hal.clock.now()) }, body, timeoutMs,
    });
    const date = res.headers.date ? Date.parse(res.headers.date) : undefined;
    if (res.status < 200 || res.status > 299) {
      let message = res.body;
      try {
        message = (JSON.parse(res.body) as { message: string }).message;
      } catch { /* raw */ }
      const e = new Error(`${method} ${path}: HTTP ${res.status}: ${message}`) as Error & { code: string; status: number; date?: number };
      e.code = res.status === 401 || res.status === 403 ? 'EAUTH' : 'ECLOUD';
      e.status = res.status;
      if (date !== undefined) e.date = date;
      throw e;
    }
    return { body: JSON.parse(res.body) as JsonObject, date, bytesOut: res.bytesOut, bytesIn: res.bytesIn };
  };
  return {
    getShadow: async () => {
      const r = await call('GET');
      return { doc: r.body, date: r.date, bytesOut: r.bytesOut, bytesIn: r.bytesIn };
    },
    report: async (reported) => {
      const r = await call('POST', JSON.stringify({ state: { reported } }));
      return { date: r.date, bytesOut: r.bytesOut, bytesIn: r.bytesIn };
    },
  };
}

/** A {@link TimePort} that knows the true time (honours `faults.ntp`). */
export function fakeTimePort(hal: MemoryHal, timeoutMs = 1500): TimePort {
  return {
    sync: () =>
      new Promise((resolve, reject) => {
        hal.udpExchanges++;
        if (hal.faults.ntp) {
          hal.clock.setTimer(timeoutMs, () => {
            const e = new Error(`no SNTP reply from pool.ntp.org:123 after 3 attempts (ETIMEOUT)`) as Error & { code: string };
            e.code = 'ETIME';
            reject(e);
          });
          return;
        }
        hal.clock.setTimer(20, () => resolve({ offsetMs: Math.round(hal.clock.trueNow - hal.clock.now()), roundTripMs: 20 }));
      }),
  };
}

/** The test config files of a device talking to the fake cloud over plain HTTP. */
export function testConfigFiles(cfg: Record<string, unknown> = {}): Record<string, string> {
  return {
    'aws_iot_cfg.txt': JSON.stringify({ region: 'us-east-1', endpoint: 'http://cloud.test:8080', ntp: 'time.test', ...cfg }),
    'aws_credentials.txt': JSON.stringify({ akey: 'AKIDEXAMPLE', skey: TEST_SECRET }),
  };
}

/** AWS's public example secret key (the only secret tests use). */
export const TEST_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

/** Options of {@link wakeOnce}. */
export interface WakeOnceOptions {
  /** Builds the thing (default a SignalThing), fresh each wake as after a reboot. */
  readonly thing?: (hal: MemoryHal) => BaseThing;
  readonly options?: Partial<WakeOptions>;
  readonly thingName?: string;
  readonly secrets?: readonly string[];
}

/** One wake of the cycle over the fake ports, then the deep sleep it asks for (as boot does). */
export async function wakeOnce(hal: MemoryHal, o: WakeOnceOptions = {}): Promise<WakeSummary> {
  const thing = o.thing ? o.thing(hal) : new SignalThing(hal);
  const budget = o.options && o.options.httpTimeoutMs !== undefined ? o.options.httpTimeoutMs : 8000;
  const s = await runWake({
    hal, thing, cloud: fakeCloudPort(hal, o.thingName ?? 'id-1', budget), time: fakeTimePort(hal), options: o.options, secrets: o.secrets,
  });
  await hal.power.deepSleep(s.sleep.seconds);
  return s;
}

/** The body of the nth POST the fake cloud saw (0-based; negative counts from the end). */
export function postedReported(hal: MemoryHal, n = -1): Record<string, unknown> {
  const posts = hal.cloud.posts();
  const p = posts[n < 0 ? posts.length + n : n];
  if (!p || !p.body) throw new Error(`no POST #${n} (saw ${posts.length})`);
  return (JSON.parse(p.body) as { state: { reported: Record<string, unknown> } }).state.reported;
}
