import { describe, expect, test } from 'vitest';
import { decodeRecord, parseRtcRecord } from '../../src/store.js';
import { DEFAULT_START, MemoryHal, wakeOnce } from '../support/memory-hal.js';

const utf8 = (t: string) => new Uint8Array(Buffer.from(t, 'utf8'));

function rtcClock(hal: MemoryHal) {
  const d = decodeRecord(utf8, hal.rtcData);
  const r = parseRtcRecord(d.data);
  if (!r || !r.clock) throw new Error(`no clock record in ${hal.rtcData}`);
  return r.clock;
}

const gets = (hal: MemoryHal) => hal.cloud.requests.filter((r) => r.method === 'GET');

describe('cycle: time', () => {
  test('first boot: the clock is not trusted, SNTP sets it', async () => {
    const hal = new MemoryHal();
    expect(hal.clock.trustedSince()).toBeUndefined();
    const s = await wakeOnce(hal);
    expect(s.time.source).toBe('sntp');
    expect(Math.abs(s.time.offsetMs - DEFAULT_START)).toBeLessThan(1000);
    expect(hal.udpExchanges).toBe(1);
    expect(Math.abs(hal.clock.now() - hal.clock.trueNow)).toBeLessThan(100);
    expect(s.error).toBeUndefined();
  });

  test('a trusted RTC is used without SNTP', async () => {
    const hal = new MemoryHal();
    await wakeOnce(hal);
    const s = await wakeOnce(hal);
    expect(s.time).toEqual({ source: 'rtc', offsetMs: 0 });
    expect(hal.udpExchanges).toBe(1);
  });

  test('after a power loss the RTC is not trusted: SNTP again', async () => {
    const hal = new MemoryHal();
    await wakeOnce(hal);
    hal.powerCut();
    const s = await wakeOnce(hal);
    expect(s.time.source).toBe('sntp');
    expect(hal.udpExchanges).toBe(2);
  });

  test('when the estimated drift since the last sync could exceed the margin, SNTP again', async () => {
    const hal = new MemoryHal();
    const options = { clockMarginMs: 10000 };
    hal.cloud.setDesired('id-1', { sleep: 300 }, hal.clock.trueNow);
    await wakeOnce(hal, { options });
    // 300 s at the default 5 % could be 15 s off: more than the 10 s margin
    const s = await wakeOnce(hal, { options });
    expect(s.time.source).toBe('sntp');
    expect(hal.udpExchanges).toBe(2);
  });

  test('the clock is corrected from the HTTP Date when it is off by more than 2 s', async () => {
    const hal = new MemoryHal({ drift: 0.02 });
    hal.cloud.setDesired('id-1', { sleep: 300 }, hal.clock.trueNow);
    await wakeOnce(hal);
    const offBefore = hal.clock.now() - hal.clock.trueNow;
    expect(offBefore).toBeGreaterThan(5000); // 2 % of 300 s
    const s = await wakeOnce(hal);
    expect(s.time.source).toBe('http-date');
    expect(Math.abs(s.time.offsetMs + offBefore)).toBeLessThan(1500); // set right to within the Date's resolution
    expect(hal.udpExchanges).toBe(1);
  });

  test('a clock within 2 s of the Date header is left alone', async () => {
    const hal = new MemoryHal({ drift: 0.001 });
    await wakeOnce(hal);
    const s = await wakeOnce(hal); // 30 s at 0.1 %: 30 ms off
    expect(s.time).toEqual({ source: 'rtc', offsetMs: 0 });
  });

  test('the drift rate is learned from successive syncs and kept in RTC memory', async () => {
    const hal = new MemoryHal({ drift: 0.02 });
    const options = { clockMarginMs: 5000 };
    hal.cloud.setDesired('id-1', { sleep: 300 }, hal.clock.trueNow);
    await wakeOnce(hal, { options });
    expect(rtcClock(hal).samples).toBe(0);
    await wakeOnce(hal, { options }); // untrusted by then (5 % default > 5 s margin): SNTP measures ~6 s over ~300 s
    const c = rtcClock(hal);
    expect(c.samples).toBe(1);
    expect(c.driftPpm).toBeGreaterThan(18000);
    expect(c.driftPpm).toBeLessThan(22000);
  });

  test('failed NTP is not ignored (seed defect): ETIME in the status, and the 403 Date sets the clock and retries once', async () => {
    const hal = new MemoryHal(); // clock at 1970: every signature is "expired"
    hal.faults.ntp = 'timeout';
    hal.cloud.setDesired('id-1', { signal: 1 }, hal.clock.trueNow);
    const s = await wakeOnce(hal);
    expect(s.status).toBe('error: ETIME: no SNTP reply from pool.ntp.org:123 after 3 attempts (ETIMEOUT); signal: blinked 1 time');
    expect(s.time.source).toBe('http-date');
    expect(gets(hal).map((r) => r.status)).toEqual([403, 200]);
    expect(s.report.sent).toBe(true);
    expect(s.error).toBeUndefined();
    expect(s.sleep.backoff).toBe(false);
    expect(Math.abs(hal.clock.now() - hal.clock.trueNow)).toBeLessThan(1500);
  });

  test('a 403 while the clock is right is an auth failure: no retry, backoff', async () => {
    const hal = new MemoryHal();
    await wakeOnce(hal);
    hal.cloud.failures.push({ status: 403, message: 'The request signature we calculated does not match the signature you provided.' });
    const s = await wakeOnce(hal);
    expect(s.error).toBe('EAUTH');
    expect(s.status).toMatch(/^error: EAUTH: .*403.*signature we calculated/);
    expect(gets(hal).map((r) => r.status)).toEqual([404, 403]);
    expect(s.sleep.backoff).toBe(true);
  });

  test('the 403 retry happens only once per request', async () => {
    const hal = new MemoryHal();
    hal.faults.ntp = 'timeout';
    hal.cloud.failures.push({ status: 403, message: 'Signature expired' }, { status: 403, message: 'Signature expired' });
    const s = await wakeOnce(hal);
    expect(gets(hal).map((r) => r.status)).toEqual([403, 403]);
    expect(s.error).toBe('EAUTH');
  });

  test('SNTP failed and the cloud unreachable: time source none, both failures in the status', async () => {
    const hal = new MemoryHal();
    hal.faults.ntp = 'timeout';
    hal.faults.http = 'ECONN';
    const s = await wakeOnce(hal);
    expect(s.time).toEqual({ source: 'none', offsetMs: 0 });
    expect(s.status).toBe('error: ETIME: no SNTP reply from pool.ntp.org:123 after 3 attempts (ETIMEOUT); ECONN: cannot reach cloud.test:80');
    expect(s.error).toBe('ECONN');
  });
});
