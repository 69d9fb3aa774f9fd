/**
 * Focused fault tests, the cloud's side of the wire (cloud/faults.ts, asked for by the device's
 * directive): error statuses in AWS's format, a server clock that is off, garbage, a body cut
 * short, a response that never ends, a reset mid-body, a slow answer. Each: the wake ends in deep
 * sleep within the budget with the right code, and the next wake catches up. When the cloud did
 * the work but the answer was lost (a POST), the device reports again, and the cloud has it once
 * more: nothing acknowledged is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultDevice, good, slept, startFaultCloud, struck, WAKE } from './support.js';
import type { FaultCloud } from './support.js';

let fc: FaultCloud;
beforeAll(async () => {
  fc = await startFaultCloud();
});
afterAll(async () => {
  await fc?.cloud.close();
});

describe('faults: cloud responses', () => {
  it.each([
    ['http-429', 429, 'ThrottlingException'],
    ['http-500', 500, 'InternalFailureException'],
    ['http-503', 503, 'ServiceUnavailableException'],
  ] as const)('%s: the cloud refuses the GET in AWS format; ECLOUD with the status and exception, backoff, recovery', async (kind, status, type) => {
    const d = await faultDevice(fc, [{ kind, wake: 2, request: 'GET' }]);
    good(await d.wake());
    const w = await d.wake();
    expect(struck(w)).toEqual([kind]);
    const s = slept(w);
    expect(s.error).toBe('ECLOUD');
    expect(s.status).toContain(`ECLOUD: GET /things/${d.thing}/shadow: HTTP ${status} ${type}`);
    expect(s.sleep.backoff).toBe(true);
    const sent = fc.exchanges.filter((e) => e.thing === d.thing && e.fault === kind);
    expect(sent.map((e) => [e.status, e.delivered])).toEqual([[status, true]]);
    good(await d.wake());
    expect(d.violations()).toEqual([]);
  });

  it('http-503 on the report: the update is not applied, the device keeps it pending and sends it next wake', async () => {
    const d = await faultDevice(fc, [{ kind: 'http-503', wake: 2, request: 'POST' }]);
    good(await d.wake());
    d.setDesired({ sleep: 60 });
    const w = await d.wake();
    const s = slept(w);
    expect(s.error).toBe('ECLOUD');
    expect(s.report.sent).toBe(false);
    expect(d.reported()['sleep']).toBe(30);
    const next = good(await d.wake());
    expect(next.report).toEqual({ sent: true, reason: 'pending' });
    expect(d.reported()['sleep']).toBe(60);
    expect(d.violations()).toEqual([]);
  });

  it("server-skew: the cloud's clock is 10 minutes fast for the GET; 403, the device takes the Date, and recovers by the next wake", async () => {
    const d = await faultDevice(fc, [{ kind: 'server-skew', wake: 2, request: 'GET', skewMs: 600_000 }]);
    good(await d.wake());
    const w = await d.wake();
    expect(struck(w)).toEqual(['server-skew']);
    const s = slept(w);
    // It took the skewed Date and retried once; the retry met the true clock: refused again.
    expect(s.error).toBe('EAUTH');
    expect(s.status).toMatch(/EAUTH: GET .*HTTP 403 ForbiddenException: Signature/);
    const next = slept(await d.wake());
    expect(next.error).toBeUndefined();
    expect(next.time.source).toBe('http-date');
    good(await d.wake());
    expect(d.violations()).toEqual([]);
  });

  it.each([
    ['binary', 'EHTTP'],
    ['bad-status', 'EHTTP'],
    ['bad-header', 'EHTTP'],
    ['bad-chunk', 'EHTTP'],
    ['not-json', 'EBADDOC'],
  ] as const)('garbage %s on the GET: %s', async (variant, code) => {
    const d = await faultDevice(fc, [{ kind: 'garbage', wake: 1, request: 'GET', variant }]);
    const w = await d.wake();
    expect(struck(w)).toEqual(['garbage']);
    const s = slept(w);
    expect(s.error).toBe(code);
    expect(s.status).toContain(`${code}: GET /things/${d.thing}/shadow`);
    good(await d.wake());
    expect(d.violations()).toEqual([]);
  });

  it('truncated answer to the report: the cloud applied it (its history has it) but the device did not hear so: it reports again', async () => {
    const d = await faultDevice(fc, [{ kind: 'truncated', wake: 2, request: 'POST' }]);
    good(await d.wake());
    d.setDesired({ signal: 1 });
    const w = await d.wake();
    expect(struck(w)).toEqual(['truncated']);
    const s = slept(w);
    expect(s.error).toBe('ECONN');
    expect(s.status).toMatch(/ECONN: POST .*connection closed after \d+ bytes of the response/);
    expect(s.report.sent).toBe(false);
    // The cloud did the work: the reported change is there before the device knows.
    expect(d.reported()['status']).toBe('done: signal: blinked 1 time');
    const broken = fc.exchanges.filter((e) => e.thing === d.thing && e.fault === 'truncated');
    expect(broken.map((e) => [e.method, e.status, e.delivered])).toEqual([['POST', 200, false]]);
    const next = good(await d.wake());
    expect(next.report).toEqual({ sent: true, reason: 'pending' });
    expect(d.history.wakes.flatMap((x) => x.executions).filter((e) => e.value === 1)).toHaveLength(1);
    expect(d.violations()).toEqual([]);
  });

  it('never-ends: headers and half the body, then silence; the request times out (ETIMEOUT) well within the budget', async () => {
    const d = await faultDevice(fc, [{ kind: 'never-ends', wake: 1, request: 'GET' }]);
    const w = await d.wake();
    expect(struck(w)).toEqual(['never-ends']);
    const s = slept(w);
    expect(s.error).toBe('ETIMEOUT');
    expect(s.status).toContain(`no complete response within ${WAKE.httpTimeoutMs} ms`);
    expect(w.cycleMs).toBeGreaterThanOrEqual(WAKE.httpTimeoutMs - 50);
    expect(w.cycleMs).toBeLessThan(WAKE.budgetMs);
    good(await d.wake());
    expect(d.violations()).toEqual([]);
  });

  it('conn-reset: the connection is reset mid-body (TCP RST): ECONN', async () => {
    const d = await faultDevice(fc, [{ kind: 'conn-reset', wake: 1, request: 'GET' }]);
    const w = await d.wake();
    expect(struck(w)).toEqual(['conn-reset']);
    const s = slept(w);
    expect(s.error).toBe('ECONN');
    good(await d.wake());
    expect(d.violations()).toEqual([]);
  });

  it('slow-response shorter than the HTTP timeout: absorbed, the wake succeeds', async () => {
    const d = await faultDevice(fc, [{ kind: 'slow-response', wake: 1, request: 'GET', delayMs: 300 }]);
    const w = await d.wake();
    expect(struck(w)).toEqual(['slow-response']);
    const s = good(w);
    expect(w.cycleMs).toBeGreaterThanOrEqual(300);
    expect(s.report.sent).toBe(true);
    expect(d.violations()).toEqual([]);
  });

  it('slow-response longer than the HTTP timeout: ETIMEOUT, then recovery', async () => {
    const d = await faultDevice(fc, [{ kind: 'slow-response', wake: 1, request: 'GET', delayMs: WAKE.httpTimeoutMs + 500 }]);
    const w = await d.wake();
    const s = slept(w);
    expect(s.error).toBe('ETIMEOUT');
    good(await d.wake());
    expect(d.violations()).toEqual([]);
  });
});
