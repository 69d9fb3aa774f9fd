/**
 * The device program, engine-neutral: `boot(hal)` runs ONE wake and ends in deep sleep. The
 * ESP32 entry (`firmware/esp32.ts`) and the simulator (a fresh `node:vm` context per wake, over
 * `dist/app.min.js`) both call it. This is the only place the cycle meets the real shadow client,
 * SigV4 signer, SNTP and config loader; the cycle itself sees only the ports of
 * `src/wake-ports.ts`.
 *
 * Every path out ends in `hal.power.deepSleep(seconds)`: bad config (status, then backoff
 * sleep), a thing that cannot be built, any unexpected throw. Only a power cut (`EPOWER`) stops
 * it without sleeping or persisting, as it would on a chip.
 */
import type { Hal } from '../hal/hal.js';
import { loadCredentials, loadDeviceConfig, type DeviceConfig } from '../src/config.js';
import { failedWake, runWake } from '../src/cycle.js';
import { isPowerCut } from '../src/dispatch.js';
import { toDormouseError } from '../src/errors.js';
import type { JsonObject } from '../src/json.js';
import { ShadowClient } from '../src/shadow.js';
import { SigV4Signer } from '../src/sigv4.js';
import { sntpSync } from '../src/sntp.js';
import { scrub } from '../src/status.js';
import type { BaseThing } from '../src/thing.js';
import { resolveWakeOptions, type WakeOptions } from '../src/wake-options.js';
import type { CloudPort, TimePort } from '../src/wake-ports.js';
import type { WakeSummary } from '../src/wake-summary.js';
import { DeviceThing } from './things/index.js';

/**
 * SHA-256 of the app's sources (every file of this module's import graph), stamped by the build
 * into both bundles: the simulator's `dist/app.min.js` and the board's `dist/esp32.min.js` say
 * the same hash when they run the same app (`dormouse sim --version`, a board's boot line).
 */
export const sourceHash = '__DORMOUSE_SOURCE_HASH__';

/** SigV4 signing name of the AWS IoT data plane (what the AWS SDKs send). */
export const SIGNING_SERVICE = 'iotdata';

/** Options of {@link boot}. */
export interface BootOptions {
  /** Builds the thing of this device (default: `DeviceThing` of `firmware/things/index.ts`). */
  readonly thing?: (hal: Hal) => BaseThing;
  /** Overrides of the wake's tunables (budget, sleep range, …; see `DEFAULTS`). */
  readonly wake?: Partial<WakeOptions>;
}

/** The secrets of a config, for scrubbing: they never reach a log or status line. */
export function configSecrets(c: DeviceConfig): string[] {
  const out: string[] = [];
  if (c.credentials) {
    out.push(c.credentials.secretAccessKey);
    if (c.credentials.sessionToken) out.push(c.credentials.sessionToken);
  }
  if (c.endpoint.tls && c.endpoint.tls.key) out.push(c.endpoint.tls.key);
  return out;
}

/**
 * The secrets of `aws_credentials.txt` alone, for scrubbing when the rest of the config failed
 * to load: a secret pasted into another file's field must not reach the status line either.
 */
function credentialSecrets(hal: Hal): string[] {
  try {
    const c = loadCredentials((name) => hal.storage.read(name));
    return c.sessionToken ? [c.secretAccessKey, c.sessionToken] : [c.secretAccessKey];
  } catch (e) {
    if (isPowerCut(e)) throw e;
    return [];
  }
}

/** The cloud port over the shadow REST client, for this device's thing (and named shadow). */
export function shadowCloudPort(hal: Hal, c: DeviceConfig, o: WakeOptions): CloudPort {
  const auth = c.auth === 'sigv4' && c.credentials
    ? { kind: 'sigv4' as const, signer: new SigV4Signer({ crypto: hal.crypto, region: c.region, service: SIGNING_SERVICE, credentials: c.credentials }) }
    : { kind: 'x509' as const };
  const client = new ShadowClient({ http: hal.http, endpoint: c.endpoint, auth, clock: hal.clock, timeoutMs: o.httpTimeoutMs, crypto: hal.crypto });
  const thing = c.thing !== undefined ? c.thing : hal.device.defaultThingName();
  const shadow = c.shadow;
  return {
    getShadow: () => client.get(thing, shadow).then((r) => ({ doc: r.body, date: r.date, bytesOut: r.bytesOut, bytesIn: r.bytesIn })),
    report: (reported: JsonObject) =>
      client.update(thing, { state: { reported } }, shadow).then((r) => ({ date: r.date, bytesOut: r.bytesOut, bytesIn: r.bytesIn })),
  };
}

/** The time port over SNTP (UDP 123 to the configured server). */
export function sntpTimePort(hal: Hal, c: DeviceConfig, o: WakeOptions): TimePort {
  return {
    sync: () =>
      sntpSync(hal.udp, hal.clock, {
        host: c.ntp.host,
        port: c.ntp.port,
        timeoutMs: o.ntpTimeoutMs,
        retries: o.ntpRetries,
        random: (n) => hal.crypto.random(n),
      }).then((r) => ({ offsetMs: r.offsetMs, roundTripMs: r.roundTripMs, bytesOut: 48, bytesIn: 48 })),
  };
}

function startWatchdog(hal: Hal, o: WakeOptions): void {
  try {
    hal.watchdog.start(Math.ceil((o.budgetMs + o.watchdogMarginMs) / 1000));
  } catch (e) {
    if (isPowerCut(e)) throw e;
    hal.log.write('warn', `watchdog could not start: ${toDormouseError(e).message}`);
  }
}

/** A last-resort summary when even recording the failure failed: sleep long, never loop awake. */
function lastResort(hal: Hal, e: unknown, o: WakeOptions): WakeSummary {
  const f = toDormouseError(e);
  let reason: WakeSummary['reason'] = 'unknown';
  try {
    reason = hal.power.wakeReason();
  } catch (_e) {
    reason = 'unknown';
  }
  return {
    wake: 0,
    reason,
    time: { source: 'none', offsetMs: 0 },
    outcomes: [],
    report: { sent: false, reason: 'nothing-to-report' },
    sleep: { seconds: o.sleepMaxSeconds, backoff: true, attempt: 0 },
    awakeMs: hal.clock.uptime(),
    bytesOut: 0,
    bytesIn: 0,
    status: `error: ${f.code}: ${f.message}`,
    error: f.code,
  };
}

/**
 * Runs one wake on `hal` and deep-sleeps; resolves with what the wake did once `deepSleep`
 * returns (on a chip it never does). Rejects only with a power cut.
 */
export async function boot(hal: Hal, options?: BootOptions): Promise<WakeSummary> {
  const opts = options || {};
  let o = resolveWakeOptions(opts.wake);
  let summary: WakeSummary;
  let secrets: string[] = [];
  try {
    startWatchdog(hal, o);
    let config: DeviceConfig | undefined;
    try {
      config = loadDeviceConfig((name) => hal.storage.read(name));
    } catch (e) {
      if (isPowerCut(e)) throw e;
      const f = toDormouseError(e);
      secrets = credentialSecrets(hal);
      summary = failedWake(hal, f.code === 'EINTERNAL' ? toDormouseError({ code: 'ECONFIG', message: f.message }) : f, o, secrets);
    }
    if (config) {
      secrets = configSecrets(config);
      const c = config;
      for (let i = 0; i < c.warnings.length; i++) hal.log.write('info', scrub(c.warnings[i] as string, secrets));
      if (!opts.wake || opts.wake.heartbeatSeconds === undefined) o = resolveWakeOptions(merge(opts.wake, { heartbeatSeconds: c.heartbeatSeconds }));
      let thing: BaseThing;
      try {
        thing = opts.thing ? opts.thing(hal) : new DeviceThing(hal);
      } catch (e) {
        if (isPowerCut(e)) throw e;
        throw toDormouseError({ code: 'EINTERNAL', message: `the thing could not be built: ${toDormouseError(e).message}` });
      }
      summary = await runWake({ hal, thing, cloud: shadowCloudPort(hal, c, o), time: sntpTimePort(hal, c, o), options: o, secrets });
    }
  } catch (e) {
    if (isPowerCut(e)) throw e;
    try {
      summary = failedWake(hal, e, o, secrets);
    } catch (e2) {
      if (isPowerCut(e2)) throw e2;
      summary = lastResort(hal, e2, o);
    }
  }
  await hal.power.deepSleep(summary!.sleep.seconds);
  return summary!;
}

function merge(a: Partial<WakeOptions> | undefined, b: Partial<WakeOptions>): Partial<WakeOptions> {
  const out: Record<string, unknown> = {};
  const src = [a || {}, b];
  for (let s = 0; s < src.length; s++) {
    const x = src[s] as Record<string, unknown>;
    for (const k in x) if (Object.prototype.hasOwnProperty.call(x, k)) out[k] = x[k];
  }
  return out as Partial<WakeOptions>;
}
