/**
 * Device-side entry for the Espruino run of the signer (sigv4-espruino.test.ts): built like the
 * device bundles (ES5, project helpers, terser) and run on the real interpreter with the pure
 * TypeScript crypto, the way an engine without native hashing signs.
 */
import { SigV4Signer } from '../../src/sigv4.js';
import type { HeaderRecord, SessionTokenPlacement } from '../../src/sigv4.js';
import { softCrypto } from '../../src/soft-crypto.js';

/** One signing job, as plain JSON. */
export interface Job {
  readonly region: string;
  readonly service: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly placement: SessionTokenPlacement;
  readonly method: string;
  readonly host: string;
  readonly path: string;
  readonly headers: HeaderRecord;
  readonly body?: string;
  readonly date: number;
  /** When set: presign with this X-Amz-Expires instead. */
  readonly presignSeconds?: number;
}

const crypto = softCrypto();

/** Sign one job; returns canonical request, string to sign, signature and Authorization. */
export function signJob(job: Job): { creq: string; sts: string; signature: string; authz: string } {
  const signer = new SigV4Signer({
    crypto,
    region: job.region,
    service: job.service,
    credentials: job.sessionToken === undefined ? { accessKeyId: job.accessKeyId, secretAccessKey: job.secretAccessKey } : { accessKeyId: job.accessKeyId, secretAccessKey: job.secretAccessKey, sessionToken: job.sessionToken },
  });
  const req = { method: job.method, host: job.host, path: job.path, headers: job.headers, body: job.body };
  if (job.presignSeconds !== undefined) {
    const p = signer.presign(req, { date: job.date, expiresSeconds: job.presignSeconds, sessionTokenPlacement: job.placement });
    return { creq: p.canonicalRequest, sts: p.stringToSign, signature: p.signature, authz: p.path };
  }
  const r = signer.sign(req, { date: job.date, sessionTokenPlacement: job.placement });
  return { creq: r.canonicalRequest, sts: r.stringToSign, signature: r.signature, authz: r.authorization };
}

/**
 * One signer across four days (its 2-key cache evicts) against a fresh signer per day: the
 * signatures must agree. Returns the list of mismatching days (empty when all agree).
 */
export function cacheCheck(): number[] {
  const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  const make = () => new SigV4Signer({ crypto, region: 'us-east-1', service: 'iotdata', credentials: creds });
  const shared = make();
  const req = { method: 'GET', host: 'example.com', path: '/' };
  const bad: number[] = [];
  const days = [0, 1, 2, 0, 2];
  for (let i = 0; i < days.length; i++) {
    const date = 1440938160000 + (days[i] as number) * 86400000;
    if (shared.sign(req, { date }).signature !== make().sign(req, { date }).signature) bad.push(i);
  }
  return bad;
}

/** Milliseconds per sign of a typical shadow update, key cached, over `n` signs (`now` in ms). */
export function timeSign(n: number, now: () => number): number {
  const signer = new SigV4Signer({ crypto, region: 'us-east-1', service: 'iotdata', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } });
  const req = {
    method: 'POST',
    host: 'a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com',
    path: '/things/dormouse-1/shadow?name=cfg',
    headers: { 'Content-Type': 'application/json' },
    body: '{"state":{"reported":{"sleep":60,"status":"ok: 2 handled, 0 ignored","battery":3.91,"rssi":-61}},"clientToken":"a1b2c3d4"}',
  };
  signer.sign(req, { date: 1440938160000 });
  const start = now();
  for (let i = 0; i < n; i++) signer.sign(req, { date: 1440938160000 });
  return (now() - start) / n;
}
