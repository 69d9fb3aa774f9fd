/**
 * The device side of fault injection: a {@link HalInterceptor} that makes the planned faults of
 * one wake happen at the HAL seam (a Wi-Fi join that fails, an SNTP server that never answers or
 * lies, a TLS handshake that fails for real, a power cut inside a handler or a flash write, flash
 * that is full, a handler whose waits drag on), tags each HTTP request with the directive the
 * cloud executes (`directive.ts`), makes the firmware's randomness replayable, and writes the
 * wake's {@link WakeJournal}.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HttpRequest, HttpResponse } from '../../hal.js';
import { TEMP_PREFIX } from '../atomic-file.js';
import { flashEntryName } from '../device-dir.js';
import { simFailure } from '../errors.js';
import type { HalInterceptor, WakeControl } from '../guard.js';
import { encodeDirective, FAULT_HEADER, isCloudFaultKind } from './directive.js';
import type { CloudFaultKind } from './directive.js';
import { RTC_WRITE } from './journal.js';
import type { HttpEvent, WakeJournal } from './journal.js';
import type { Prng } from './prng.js';
import { Prng as Random } from './prng.js';
import type { PlannedFault } from './schedule.js';

/** Where the firmware keeps its records (the defaults are `src/store.ts`'s names; a test checks they agree). */
export const FIRMWARE_FILES = { state: 'dormouse.state', intent: 'dormouse.intent' } as const;

/** Options of {@link createFaultInterceptor}. */
export interface FaultInterceptorOptions {
  /** The wake's planned faults (`planWake`). */
  readonly faults: readonly PlannedFault[];
  /** Filled in as the wake runs. */
  readonly journal: WakeJournal;
  /** The device directory (a torn write leaves its half-written temporary file there). */
  readonly dir: string;
  /** Replayable bytes for `crypto.random` (backoff jitter, SNTP nonces); undefined: the HAL's own. */
  readonly random?: Prng;
  /** The firmware's intent record (power cut `at: intent`). */
  readonly intentFile?: string;
  /** Tag every request, `none` when no fault: a cloud with a plan of its own then adds none. */
  readonly tagRequests?: boolean;
  /** Names this wake in directive ids (`d3w57`): `<tag>.<method><n>` names each request. */
  readonly tag?: string;
}

/** HAL calls that return a promise: a power cut at one of them rejects instead of throwing. */
const ASYNC_CALLS: readonly string[] = ['net.up', 'net.down', 'http.request', 'udp.exchange', 'power.deepSleep'];

/** Seconds an SNTP `lie` puts the time off by (3 hours: far beyond SigV4's 5 minutes). */
const SNTP_LIE_SECONDS = 3 * 3600;

function later<T>(ms: number, fn: () => T | Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => {
      try {
        resolve(fn());
      } catch (e) {
        reject(e);
      }
    }, Math.max(0, ms));
    t.unref?.();
  });
}

/** A reply to an SNTP request `request` in the shape of a kiss-o'-death (stratum 0, `RATE`). */
function kissPacket(request: Uint8Array): Uint8Array {
  const p = new Uint8Array(48);
  p[0] = (4 << 3) | 4;
  p.set([0x52, 0x41, 0x54, 0x45], 12);
  p.set(request.subarray(40, 48), 24);
  return p;
}

/** `reply` with its receive and transmit seconds moved by `seconds`. */
function shiftedReply(reply: Uint8Array, seconds: number): Uint8Array {
  const p = new Uint8Array(reply);
  for (const at of [32, 40]) {
    const v = ((p[at] as number) * 16777216 + (p[at + 1] as number) * 65536 + (p[at + 2] as number) * 256 + (p[at + 3] as number) + seconds) % 4294967296;
    p[at] = Math.floor(v / 16777216) % 256;
    p[at + 1] = Math.floor(v / 65536) % 256;
    p[at + 2] = Math.floor(v / 256) % 256;
    p[at + 3] = v % 256;
  }
  return p;
}

/** The interceptor of one wake. */
export function createFaultInterceptor(o: FaultInterceptorOptions): HalInterceptor {
  const j = o.journal;
  const intentFile = o.intentFile ?? FIRMWARE_FILES.intent;
  const faults = o.faults;
  const of = (kind: PlannedFault['kind']): PlannedFault | undefined => faults.find((f) => f.kind === kind);
  const cut = of('power-cut');
  const wifi = of('wifi-fail');
  const netHang = of('net-hang');
  const sntpTimeout = of('sntp-timeout');
  const sntpBogus = of('sntp-bogus');
  const flashFull = of('flash-full');
  const slowHandler = of('slow-handler');
  const firedOnce = new Set<PlannedFault>();
  const fire = (f: PlannedFault, where: string, detail?: string): void => {
    if (firedOnce.has(f)) return;
    firedOnce.add(f);
    j.fired.push(detail !== undefined ? { kind: f.kind, rule: f.rule, where, detail } : { kind: f.kind, rule: f.rule, where });
  };
  const requests: Record<string, number> = {};
  let writes = 0;
  let ledOn = false;
  let blinks = 0;

  const cutNow = (name: string, wake: WakeControl, where: string): never | Promise<never> => {
    if (cut !== undefined) fire(cut, where, cut.at);
    j.events.push({ type: 'cut', at: where });
    const e = wake.powerCut();
    if (ASYNC_CALLS.indexOf(name) >= 0) return Promise.reject(e);
    throw e;
  };

  const httpRequest = (req: HttpRequest, proceed: (args?: readonly unknown[]) => unknown, wake: WakeControl): unknown => {
    const method = req.method;
    const ordinal = (requests[method] = (requests[method] ?? 0) + 1);
    const path = req.path.split('?')[0] ?? req.path;
    const where = `${method} ${path}`;
    const hits = faults.filter((f) => f.request === method && (f.ordinal ?? 1) === ordinal);
    const hit = (kind: PlannedFault['kind']): PlannedFault | undefined => hits.find((f) => f.kind === kind);
    const ev: HttpEvent = method === 'POST' && req.body !== undefined ? { type: 'http', method, path, body: req.body } : { type: 'http', method, path };
    j.events.push(ev);
    const cutHere = cut !== undefined && cut.at === 'http' && hits.indexOf(cut) >= 0;
    if (cutHere && cut.before === true) return cutNow('http.request', wake, `${where} (before sending)`);
    const dns = hit('dns-fail');
    if (dns !== undefined) {
      fire(dns, where);
      ev.error = 'EDNS';
      return Promise.reject(simFailure('EDNS', `${req.host}:${req.port}: host name did not resolve (ENOTFOUND, injected)`));
    }
    let out: HttpRequest = req;
    const tls = hit('tls-fail');
    if (tls !== undefined) {
      fire(tls, where);
      if (req.scheme !== 'https') {
        ev.error = 'ETLS';
        return Promise.reject(simFailure('ETLS', `${req.host}:${req.port}: TLS failed (injected on a plain connection)`));
      }
      // A real handshake that fails: the certificate does not name the host we ask for.
      out = { ...out, tls: { ...(out.tls ?? {}), servername: 'tls-fault.invalid' } };
    }
    const cloud = hits.find((f) => isCloudFaultKind(f.kind));
    if (cloud !== undefined || o.tagRequests === true) {
      const id = `${o.tag ?? 'wake'}.${method}${ordinal}`;
      const directive = cloud === undefined ? undefined : {
        kind: cloud.kind as CloudFaultKind,
        ...(cloud.delayMs !== undefined ? { delayMs: cloud.delayMs } : {}),
        ...(cloud.skewMs !== undefined ? { skewMs: cloud.skewMs } : {}),
        ...(cloud.variant !== undefined ? { variant: cloud.variant } : {}),
        seed: cloud.seed,
        id,
      };
      if (cloud !== undefined) {
        const detail = cloud.variant ?? (cloud.delayMs !== undefined ? `${cloud.delayMs} ms` : cloud.skewMs !== undefined ? `${cloud.skewMs} ms` : undefined);
        j.requested.push({ kind: cloud.kind, rule: cloud.rule, where, id, ...(detail !== undefined ? { detail } : {}) });
      }
      out = { ...out, headers: { ...out.headers, [FAULT_HEADER]: encodeDirective(directive) } };
    }
    const settle = (p: Promise<HttpResponse>): Promise<HttpResponse> =>
      p.then(
        (r) => {
          ev.status = r.status;
          if (method === 'POST') ev.response = r.body;
          return r;
        },
        (e: unknown) => {
          ev.error = (e as { code?: string }).code ?? 'EINTERNAL';
          throw e;
        },
      );
    const sent = settle(Promise.resolve(proceed(out === req ? undefined : [out]) as Promise<HttpResponse>));
    if (!cutHere) return sent;
    // The answer came (or the request failed), but the power goes before the firmware sees it.
    return sent.then(
      () => cutNow('http.request', wake, `${where} (answer lost)`),
      () => cutNow('http.request', wake, `${where} (answer lost)`),
    );
  };

  const udpExchange = (args: readonly unknown[], proceed: (args?: readonly unknown[]) => unknown): unknown => {
    const packet = args[2] as Uint8Array;
    const timeoutMs = typeof args[3] === 'number' ? args[3] : 1000;
    if (sntpTimeout !== undefined) {
      fire(sntpTimeout, 'udp.exchange');
      return later(timeoutMs, () => {
        throw simFailure('ETIMEOUT', `UDP ${String(args[0])}:${String(args[1])}: no reply within ${timeoutMs} ms (injected)`);
      });
    }
    if (sntpBogus !== undefined) {
      const variant = sntpBogus.variant ?? 'garbage';
      fire(sntpBogus, 'udp.exchange', variant);
      const random = new Random(sntpBogus.seed);
      if (variant === 'garbage') return Promise.resolve(random.bytes(48));
      if (variant === 'short') return Promise.resolve(random.bytes(12));
      if (variant === 'kiss') return Promise.resolve(kissPacket(packet));
      return (proceed() as Promise<Uint8Array>).then((reply) => {
        if (variant === 'lie') return shiftedReply(reply, SNTP_LIE_SECONDS);
        const p = new Uint8Array(reply);
        p[31] = ((p[31] as number) ^ 0x5a) & 0xff; // the originate timestamp no longer echoes ours
        return p;
      });
    }
    return proceed();
  };

  const storageWrite = (args: readonly unknown[], proceed: () => unknown, wake: WakeControl): unknown => {
    const name = String(args[0]);
    const data = typeof args[1] === 'string' ? args[1] : '';
    const index = ++writes;
    if (flashFull !== undefined) {
      fire(flashFull, `storage.write ${name}`);
      j.events.push({ type: 'write', name, data, ok: false, code: 'EFULL' });
      throw simFailure('EFULL', `storage: "${name}" (${Buffer.byteLength(data)} bytes) does not fit: the flash is full (injected)`);
    }
    if (cut !== undefined && cut.at === 'write' && cut.writeIndex === index) {
      // Torn: half of the temporary file is on flash when the power goes; the rename never happens.
      try {
        writeFileSync(join(o.dir, `${TEMP_PREFIX}${flashEntryName(name)}.torn.${cut.seed}`), data.substring(0, Math.floor(data.length / 2)));
      } catch {
        // the cut matters, not the leftover
      }
      j.events.push({ type: 'write', name, data, ok: false, code: 'EPOWER' });
      return cutNow('storage.write', wake, `storage.write ${name} (torn)`);
    }
    try {
      proceed();
    } catch (e) {
      j.events.push({ type: 'write', name, data, ok: false, code: (e as { code?: string }).code ?? 'ESTORAGE' });
      throw e;
    }
    j.events.push({ type: 'write', name, data, ok: true });
    if (cut !== undefined && cut.at === 'intent' && name === intentFile) return cutNow('storage.write', wake, `after writing ${name}`);
    return undefined;
  };

  return (call, proceed, wake) => {
    const name = `${call.part}.${call.method}`;
    j.calls++;
    if (cut !== undefined && cut.at === 'any' && j.calls === cut.callIndex) return cutNow(name, wake, `${name} (call ${j.calls})`);
    switch (name) {
      case 'crypto.random':
        return o.random !== undefined ? o.random.bytes(Number(call.args[0]) || 0) : proceed();
      case 'net.up': {
        if (cut !== undefined && cut.at === 'net') return cutNow(name, wake, name);
        if (netHang !== undefined) {
          fire(netHang, name);
          return new Promise(() => undefined);
        }
        if (wifi !== undefined) {
          fire(wifi, name, `${wifi.delayMs ?? 0} ms`);
          return later(wifi.delayMs ?? 0, () => {
            throw simFailure('ENET', 'Wi-Fi join failed: no access point answered (injected)');
          });
        }
        return proceed();
      }
      case 'udp.exchange':
        if (cut !== undefined && cut.at === 'sntp') return cutNow(name, wake, name);
        return udpExchange(call.args, proceed);
      case 'http.request':
        return httpRequest(call.args[0] as HttpRequest, proceed, wake);
      case 'storage.write':
        return storageWrite(call.args, proceed, wake);
      case 'rtc.write': {
        const data = typeof call.args[0] === 'string' ? call.args[0] : '';
        try {
          proceed();
        } catch (e) {
          j.events.push({ type: 'write', name: RTC_WRITE, data, ok: false, code: (e as { code?: string }).code ?? 'ESTORAGE' });
          throw e;
        }
        j.events.push({ type: 'write', name: RTC_WRITE, data, ok: true });
        return undefined;
      }
      case 'storage.remove': {
        const file = String(call.args[0]);
        try {
          proceed();
        } catch (e) {
          j.events.push({ type: 'remove', name: file, ok: false });
          throw e;
        }
        j.events.push({ type: 'remove', name: file, ok: true });
        return undefined;
      }
      case 'indicator.set': {
        const on = call.args[0] === true;
        const r = proceed();
        if (on !== ledOn) {
          j.events.push({ type: 'led', on });
          if (on) blinks++;
        }
        ledOn = on;
        if (on && cut !== undefined && cut.at === 'handler' && blinks === (cut.callIndex ?? 1)) return cutNow(name, wake, `inside a handler (indicator on, blink ${blinks})`);
        return r;
      }
      case 'clock.setTimer': {
        if (slowHandler !== undefined && ledOn) {
          const extra = slowHandler.delayMs ?? 0;
          fire(slowHandler, 'a handler wait', `+${extra} ms`);
          return proceed([Number(call.args[0]) + extra, call.args[1]]);
        }
        return proceed();
      }
      default:
        return proceed();
    }
  };
}
