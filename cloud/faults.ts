/**
 * Server-side fault injection for the local cloud: the faults a device meets on the wire. For a
 * request the cloud answers 429/500/503 in AWS's format (without doing the work), checks the
 * signature with a clock that is off (403 `Signature expired`, with its own `Date`), answers late,
 * or does the work and then breaks the answer: garbage bytes, a body cut short (Content-Length
 * promises more, then the connection closes), headers and half a body then silence, or a reset
 * mid-body. The device cannot tell whether its update was applied; a correct one reports again.
 *
 * Which request misbehaves is decided by the device (a directive header, see
 * `hal/sim/faults/directive.ts`: the fault is then tied to a device's wake and replays with its
 * seed) or, for requests without one, by the cloud's own plan (`dormouse cloud --faults FILE`:
 * request-kind rules with their probability and optional `thing`, per request).
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { FAULT_HEADER, isCloudFaultKind, parseDirective } from '../hal/sim/faults/directive.js';
import type { FaultDirective } from '../hal/sim/faults/directive.js';
import { FAULT_KINDS } from '../hal/sim/faults/kinds.js';
import type { FaultPlan } from '../hal/sim/faults/plan.js';
import { mixSeed, Prng } from '../hal/sim/faults/prng.js';
import { drawFault } from '../hal/sim/faults/schedule.js';
import { serviceError } from './aws-errors.js';
import type { CloudError } from './aws-errors.js';

/** One response as the cloud sent it (for a chaos run's record of acknowledged updates). */
export interface CloudExchange {
  readonly thing?: string;
  readonly method: string;
  readonly status: number;
  /** The body the cloud meant to send. */
  readonly body: string;
  /** True when the whole response went out; false when a fault broke it. */
  readonly delivered: boolean;
  /** The fault applied to this request, if any. */
  readonly fault?: FaultDirective['kind'];
}

/** Fault injection of the local cloud. */
export interface CloudFaultOptions {
  /** Obey `x-dormouse-fault` directives sent by simulated devices. */
  readonly directives?: boolean;
  /** Draw faults from this plan's request rules for requests that carry no directive. */
  readonly plan?: FaultPlan;
  /** Seed when the plan has none. */
  readonly seed?: number;
  /** Told of every response once it is sent (or broken on purpose). */
  readonly observe?: (e: CloudExchange) => void;
  /** Told when a request arrives that a fault will strike (its directive's id, when it has one). */
  readonly onFault?: (f: { readonly thing?: string; readonly method: string; readonly kind: FaultDirective['kind']; readonly id?: string }) => void;
}

/** Defaults of the cloud's faults. */
export const CLOUD_FAULT_DEFAULTS = {
  /** A response that never ends is cut by the cloud itself after this long (ms), so nothing leaks. */
  neverEndsLimitMs: 300_000,
};

const STATUS_FAULTS = {
  'http-429': serviceError(429, 'Too Many Requests'),
  'http-500': serviceError(500, 'Internal service failure'),
  'http-503': serviceError(503, 'Service Unavailable'),
} as const;

/** What a response is made of before it goes on the wire. */
export interface RawResponse {
  readonly status: number;
  readonly headers: readonly (readonly [string, string | number])[];
  readonly body: string;
}

function head(r: RawResponse, contentLength: number): string {
  let h = `HTTP/1.1 ${r.status} ${STATUS_CODES[r.status] ?? 'Unknown'}\r\n`;
  for (const [k, v] of r.headers) if (k.toLowerCase() !== 'content-length') h += `${k}: ${v}\r\n`;
  return `${h}Content-Length: ${contentLength}\r\n\r\n`;
}

/** Bytes that are not HTTP, or HTTP broken in one specific way. */
function garbage(variant: string, r: RawResponse, prng: Prng): Buffer {
  switch (variant) {
    case 'bad-status':
      return Buffer.from(`HTTP/1.1 2OO OK\r\nContent-Length: ${Buffer.byteLength(r.body)}\r\n\r\n${r.body}`, 'latin1');
    case 'bad-header':
      return Buffer.from(`HTTP/1.1 ${r.status} OK\r\nContent-Length ${Buffer.byteLength(r.body)}\r\n\r\n${r.body}`, 'latin1');
    case 'bad-chunk':
      return Buffer.from(`HTTP/1.1 ${r.status} OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n${r.body}\r\n0\r\n\r\n`, 'latin1');
    case 'not-json': {
      const body = '<html><body><h1>502 Bad Gateway</h1></body></html>';
      const ok = r.headers.filter(([k]) => k.toLowerCase() !== 'content-type');
      return Buffer.from(head({ status: 200, headers: [...ok, ['Content-Type', 'text/html']], body }, Buffer.byteLength(body)) + body, 'utf8');
    }
    default: {
      const b = Buffer.from(prng.bytes(prng.int(64, 256)));
      b[0] = 0x16; // never a status line
      return b;
    }
  }
}

/**
 * Reset the TCP connection under `socket` (a TLS socket's parent): an RST, not a FIN. Deferred a
 * turn so the bytes already written leave first; destroying the TLS socket too would send a FIN.
 */
function reset(socket: Socket): void {
  const target = (socket as Socket & { _parent?: Socket })._parent ?? socket;
  setTimeout(() => {
    try {
      target.resetAndDestroy();
    } catch {
      socket.destroy();
    }
  }, 0);
}

/** The cloud's fault injector. */
export class CloudFaults {
  private readonly o: CloudFaultOptions;
  private readonly seed: number;
  private readonly counts = new Map<string, number>();

  constructor(o: CloudFaultOptions) {
    this.o = o;
    this.seed = o.plan?.seed ?? o.seed ?? 0;
  }

  /** The fault for this request: its directive, else the plan's draw; undefined for none. */
  decide(req: IncomingMessage, thing: string | undefined): FaultDirective | undefined {
    const d = this.choose(req, thing);
    if (d !== undefined) this.o.onFault?.({ ...(thing !== undefined ? { thing } : {}), method: req.method ?? 'GET', kind: d.kind, ...(d.id !== undefined ? { id: d.id } : {}) });
    return d;
  }

  private choose(req: IncomingMessage, thing: string | undefined): FaultDirective | undefined {
    if (this.o.directives === true) {
      const raw = req.headers[FAULT_HEADER];
      const d = parseDirective(Array.isArray(raw) ? raw[0] : raw);
      if (d === null) return undefined;
      if (d !== undefined) return d;
    }
    const plan = this.o.plan;
    if (plan === undefined) return undefined;
    const who = thing ?? '';
    const n = (this.counts.get(who) ?? 0) + 1;
    this.counts.set(who, n);
    const method = req.method ?? 'GET';
    for (let i = 0; i < plan.rules.length; i++) {
      const rule = plan.rules[i];
      if (rule === undefined || FAULT_KINDS[rule.kind].timing !== 'request') continue;
      if (rule.wake !== undefined || rule.wakes !== undefined || rule.devices !== undefined) continue; // device-side selectors
      if (rule.thing !== undefined && rule.thing !== thing) continue;
      if (rule.request !== undefined && rule.request !== 'any' && rule.request !== method) continue;
      const prng = new Prng(mixSeed(this.seed, 'cloud', i, who, n));
      if (!prng.chance(rule.probability)) continue;
      const f = drawFault({ ...rule, request: method === 'POST' ? 'POST' : 'GET' }, i, prng);
      if (!isCloudFaultKind(f.kind)) continue;
      return {
        kind: f.kind,
        ...(f.delayMs !== undefined ? { delayMs: f.delayMs } : {}),
        ...(f.skewMs !== undefined ? { skewMs: f.skewMs } : {}),
        ...(f.variant !== undefined ? { variant: f.variant } : {}),
        seed: f.seed,
      };
    }
    return undefined;
  }

  /** The AWS error to answer instead of doing the work (429/500/503), if that is the fault. */
  statusError(d: FaultDirective | undefined): CloudError | undefined {
    if (d === undefined) return undefined;
    return d.kind === 'http-429' || d.kind === 'http-500' || d.kind === 'http-503' ? STATUS_FAULTS[d.kind] : undefined;
  }

  /** How far the server's clock is off for this request (ms). */
  skewMs(d: FaultDirective | undefined): number {
    return d !== undefined && d.kind === 'server-skew' ? d.skewMs ?? 10 * 60_000 : 0;
  }

  /** How long to wait before handling this request (ms). */
  delayMs(d: FaultDirective | undefined): number {
    return d !== undefined && d.kind === 'slow-response' ? d.delayMs ?? 1000 : 0;
  }

  /** True when the answer to this request must be broken on the wire. */
  breaks(d: FaultDirective | undefined): boolean {
    return d !== undefined && (d.kind === 'garbage' || d.kind === 'truncated' || d.kind === 'never-ends' || d.kind === 'conn-reset');
  }

  /**
   * Send `r` broken as `d` says, on the raw connection of `req` (the work is done; only the answer
   * suffers). The request's response object is left unfinished on purpose: Node must not write an
   * answer of its own; the connection ends, resets or goes silent under it.
   */
  sendBroken(req: IncomingMessage, r: RawResponse, d: FaultDirective): void {
    const socket = req.socket;
    const body = Buffer.from(r.body, 'utf8');
    const prng = new Prng(d.seed ?? 0);
    switch (d.kind) {
      case 'garbage':
        socket.end(garbage(d.variant ?? 'binary', r, prng));
        break;
      case 'truncated':
        socket.end(Buffer.concat([Buffer.from(head(r, body.length), 'latin1'), body.subarray(0, Math.floor(body.length / 2))]));
        break;
      case 'never-ends': {
        socket.write(Buffer.concat([Buffer.from(head(r, body.length), 'latin1'), body.subarray(0, Math.floor(body.length / 2))]));
        const limit = setTimeout(() => socket.destroy(), CLOUD_FAULT_DEFAULTS.neverEndsLimitMs);
        limit.unref();
        socket.once('close', () => clearTimeout(limit));
        break;
      }
      default:
        socket.write(Buffer.concat([Buffer.from(head(r, body.length), 'latin1'), body.subarray(0, Math.floor(body.length / 3))]), () => reset(socket));
    }
  }

  /** Tell the observer about a response. */
  observe(e: CloudExchange): void {
    this.o.observe?.(e);
  }
}
