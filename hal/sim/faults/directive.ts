/**
 * How a simulated device asks the local cloud to misbehave on one request: a header, added after
 * signing (SigV4 only covers the headers it lists, so the signature still verifies), that a cloud
 * started with fault injection obeys and any other server ignores:
 *
 * `x-dormouse-fault: none` · `x-dormouse-fault: http-503` ·
 * `x-dormouse-fault: slow-response; delayMs=1500` · `x-dormouse-fault: garbage; variant=binary; seed=7; id=d3w57.GET1`
 *
 * The device side decides (its plan, its seed, its wake), the cloud side executes: a fault is
 * then tied to a device's wake and replays with the run.
 */
import { FAULT_KINDS, isFaultKind } from './kinds.js';
import type { FaultKind } from './kinds.js';

/** The header carrying a directive (lower case, as Node hands headers over). */
export const FAULT_HEADER = 'x-dormouse-fault';

/** The fault kinds the cloud executes. */
export type CloudFaultKind = { [K in FaultKind]: (typeof FAULT_KINDS)[K]['timing'] extends 'request' ? K : never }[FaultKind];

/** One request's directive. */
export interface FaultDirective {
  readonly kind: CloudFaultKind;
  readonly delayMs?: number;
  readonly skewMs?: number;
  readonly variant?: string;
  readonly seed?: number;
  /** Names this request, so whoever watches the cloud can tell the device the fault arrived. */
  readonly id?: string;
}

/** True when `kind` is executed by the cloud. */
export function isCloudFaultKind(kind: string): kind is CloudFaultKind {
  return isFaultKind(kind) && FAULT_KINDS[kind].timing === 'request';
}

/** The header value of a directive (`none` for no fault). */
export function encodeDirective(d: FaultDirective | undefined): string {
  if (d === undefined) return 'none';
  const parts: string[] = [d.kind];
  if (d.delayMs !== undefined) parts.push(`delayMs=${d.delayMs}`);
  if (d.skewMs !== undefined) parts.push(`skewMs=${d.skewMs}`);
  if (d.variant !== undefined) parts.push(`variant=${d.variant}`);
  if (d.seed !== undefined) parts.push(`seed=${d.seed}`);
  if (d.id !== undefined) parts.push(`id=${d.id}`);
  return parts.join('; ');
}

/**
 * The directive in a header value: `null` for `none` (the device asks for no fault), undefined
 * when the value is not a directive (ignored, as any unknown header).
 */
export function parseDirective(value: string | undefined): FaultDirective | null | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(';').map((p) => p.trim());
  const kind = parts[0] ?? '';
  if (kind === 'none') return null;
  if (!isCloudFaultKind(kind)) return undefined;
  const out: { kind: CloudFaultKind; delayMs?: number; skewMs?: number; variant?: string; seed?: number; id?: string } = { kind };
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    if (eq <= 0) continue;
    const k = p.substring(0, eq);
    const v = p.substring(eq + 1);
    const n = Number(v);
    if (k === 'variant' && /^[a-z-]{1,20}$/.test(v)) out.variant = v;
    else if (k === 'id' && /^[A-Za-z0-9._-]{1,64}$/.test(v)) out.id = v;
    else if ((k === 'delayMs' || k === 'skewMs' || k === 'seed') && /^-?\d{1,15}$/.test(v) && isFinite(n)) out[k] = n;
  }
  return out;
}
