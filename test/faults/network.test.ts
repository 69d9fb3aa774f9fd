/**
 * Focused fault tests, the network side of a wake: a Wi-Fi join that fails, a network interface
 * that never answers, a host name that does not resolve, a TLS handshake that fails. Each: the
 * fault strikes, the wake still ends in deep sleep within its budget, the status names the right
 * code, the device backs off, and the next wake (no fault) does its job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultDevice, good, slept, startFaultCloud, struck, WAKE, WAKE_LIMIT_MS } from './support.js';
import type { FaultCloud } from './support.js';

let fc: FaultCloud;
beforeAll(async () => {
  fc = await startFaultCloud();
});
afterAll(async () => {
  await fc?.cloud.close();
});

describe('faults: network', () => {
  it('wifi-fail: the join fails, the wake sleeps at once with ENET and backs off; the next wake recovers', async () => {
    const d = await faultDevice(fc, [{ kind: 'wifi-fail', wake: 2, delayMs: 200 }]);
    good(await d.wake());
    const w = await d.wake();
    expect(struck(w)).toEqual(['wifi-fail']);
    const s = slept(w);
    expect(s.status).toMatch(/^error: ENET: Wi-Fi join failed/);
    expect(s.error).toBe('ENET');
    expect(s.sleep.backoff).toBe(true);
    expect(s.sleep.attempt).toBe(1);
    expect(w.posts).toEqual([]);
    const next = good(await d.wake());
    expect(next.sleep.seconds).toBe(30);
    expect(d.violations()).toEqual([]);
  });

  it('net-hang: net.up never answers; the wake budget ends the wake (EBUDGET), not the watchdog', async () => {
    const d = await faultDevice(fc, [{ kind: 'net-hang', wake: 1 }]);
    const w = await d.wake();
    expect(struck(w)).toEqual(['net-hang']);
    const s = slept(w);
    expect(s.error).toBe('EBUDGET');
    expect(s.status).toMatch(/^error: EBUDGET: wake ran past its 3 s budget during network up/);
    expect(w.cycleMs).toBeGreaterThanOrEqual(WAKE.budgetMs - 50);
    expect(w.cycleMs).toBeLessThan(WAKE_LIMIT_MS);
    good(await d.wake());
    expect(d.violations()).toEqual([]);
  });

  it('dns-fail: the cloud host does not resolve for the GET: EDNS, backoff, then recovery', async () => {
    const d = await faultDevice(fc, [{ kind: 'dns-fail', wake: 2, request: 'GET' }]);
    good(await d.wake());
    const w = await d.wake();
    expect(struck(w)).toEqual(['dns-fail']);
    const s = slept(w);
    expect(s.error).toBe('EDNS');
    expect(s.status).toContain('EDNS: GET /things/');
    expect(s.sleep.backoff).toBe(true);
    good(await d.wake());
    expect(d.violations()).toEqual([]);
  });

  it('dns-fail on the report: the change is applied, the report stays pending and goes out on the next wake', async () => {
    const d = await faultDevice(fc, [{ kind: 'dns-fail', wake: 2, request: 'POST' }]);
    good(await d.wake());
    d.setDesired({ signal: 2 });
    const w = await d.wake();
    expect(struck(w)).toEqual(['dns-fail']);
    const s = slept(w);
    expect(s.error).toBe('EDNS');
    expect(s.report).toEqual({ sent: false, reason: 'changed' });
    expect(w.executions.map((e) => [e.key, e.value, e.blinks])).toEqual([['signal', 2, 2]]);
    expect(d.reported()['signal']).toBe(0);
    const next = good(await d.wake());
    expect(next.report).toEqual({ sent: true, reason: 'pending' });
    expect(d.reported()['signal']).toBe(2);
    // What wake 2 did is what the cloud hears, one wake late.
    expect(d.reported()['status']).toBe('done: signal: blinked 2 times');
    expect(d.history.wakes.flatMap((x) => x.executions).filter((e) => e.value === 2)).toHaveLength(1);
    expect(d.violations()).toEqual([]);
  });

  it('tls-fail: a real handshake that fails (the certificate does not name the host asked for): ETLS', async () => {
    const d = await faultDevice(fc, [{ kind: 'tls-fail', wake: 1, request: 'GET' }]);
    const w = await d.wake();
    expect(struck(w)).toEqual(['tls-fail']);
    const s = slept(w);
    expect(s.error).toBe('ETLS');
    expect(s.status).toMatch(/ETLS: .*TLS failed/);
    expect(fc.exchanges.filter((e) => e.thing === d.thing)).toEqual([]);
    good(await d.wake());
    expect(d.violations()).toEqual([]);
  });
});
