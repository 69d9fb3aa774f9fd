import { describe, expect, test } from 'vitest';
import { boot } from '../../firmware/app.js';
import { ShadeThing } from '../../firmware/things/shade-thing.js';
import { SignalThing } from '../../firmware/things/signal-thing.js';
import type { HandlerResult } from '../../src/thing.js';
import { MemoryHal, TEST_SECRET, testConfigFiles } from '../support/memory-hal.js';

function device(cfg: Record<string, unknown> = {}, o: ConstructorParameters<typeof MemoryHal>[0] = {}): MemoryHal {
  return new MemoryHal({ files: testConfigFiles(cfg), ...o });
}

const amzDateOf = (h: Readonly<Record<string, string>>) => h['x-amz-date'];
const toAmz = (t: number) => new Date(t).toISOString().replace(/[-:]/g, '').replace(/\.\d\d\dZ$/, 'Z');

describe('boot: one wake over the real shadow client, signer and SNTP', () => {
  test('SNTP, signed GET, dispatch, signed POST, then deep sleep', async () => {
    const hal = device();
    hal.cloud.setDesired('id-1', { signal: 2, sleep: 45 }, hal.clock.trueNow);
    const s = await boot(hal);
    expect(s.status).toBe('done: signal: blinked 2 times; sleep: 45 s');
    expect(s.time.source).toBe('sntp');
    expect(hal.udpExchanges).toBe(1);
    expect(hal.sleeps).toEqual([45]);
    const [get, post] = hal.cloud.requests;
    expect(get?.method).toBe('GET');
    expect(get?.path).toBe('/things/id-1/shadow');
    expect(get?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20250115\/us-east-1\/iotdata\/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$/);
    expect(post?.method).toBe('POST');
    expect(hal.cloud.reported('id-1')).toMatchObject({ signal: 2, sleep: 45, status: s.status, device: { fw: '0.1.0', wakes: 1 } });
    expect(s.bytesOut).toBeGreaterThan(0);
    expect(s.bytesIn).toBeGreaterThan(0);
    expect(hal.netDowns).toBe(1);
  });

  test('the watchdog is started for the budget plus its margin', async () => {
    const hal = device();
    await boot(hal, { wake: { budgetMs: 15000 } });
    expect(hal.watchdogStarts).toEqual([25]);
  });

  test('a thing named my:thing reaches the cloud as /things/my%3Athing/shadow (seed defect)', async () => {
    const hal = device({ thing: 'my:thing' });
    await boot(hal);
    expect(hal.cloud.requests.map((r) => r.path)).toEqual(['/things/my%3Athing/shadow', '/things/my%3Athing/shadow']);
    expect(hal.cloud.reported('my:thing')).toBeDefined();
  });

  test('each request is dated when it is made (seed defect): GET and POST carry their own X-Amz-Date', async () => {
    const hal = device();
    hal.cloud.setDesired('id-1', { test: 'led', test_param: 3000 }, hal.clock.trueNow);
    await boot(hal);
    const [get, post] = hal.cloud.requests;
    if (!get || !post) throw new Error('expected a GET and a POST');
    expect(amzDateOf(get.headers)).not.toBe(amzDateOf(post.headers));
    // each matches the (fake) time it was sent at, to the second (the fake latency is 10 ms each way)
    expect(amzDateOf(get.headers)).toBe(toAmz(get.at - 10));
    expect(amzDateOf(post.headers)).toBe(toAmz(post.at - 10));
    expect(post.at - get.at).toBeGreaterThanOrEqual(3000);
  });

  test('the device sleeps only after the cloud accepted the report (seed defect of the MQTT variant)', async () => {
    const hal = device();
    hal.cloud.postLatencyMs = 3000;
    hal.cloud.setDesired('id-1', { signal: 1 }, hal.clock.trueNow);
    const s = await boot(hal);
    const post = hal.cloud.posts()[0];
    expect(post?.respondedUptime).toBeDefined();
    expect(hal.sleepUptimes[0]).toBeGreaterThanOrEqual(post?.respondedUptime ?? Infinity);
    expect(s.report.sent).toBe(true);
  });

  test('failed NTP with a clock at 1970: ETIME in the status, the 403 Date sets the clock, the GET is retried once', async () => {
    const hal = device();
    hal.faults.ntp = 'timeout';
    hal.cloud.setDesired('id-1', { signal: 1 }, hal.clock.trueNow);
    const s = await boot(hal);
    expect(s.status).toMatch(/^error: ETIME: no SNTP reply from time\.test:123 after 3 attempts \(ETIMEOUT\); signal: blinked 1 time$/);
    expect(hal.cloud.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 403', 'GET 200', 'POST 200']);
    expect(s.time.source).toBe('http-date');
    expect(s.sleep.backoff).toBe(false);
  });

  test('a user thing from options.thing (the ShadeThing example)', async () => {
    const hal = device();
    hal.cloud.setDesired('id-1', { position: 75 }, hal.clock.trueNow);
    const s = await boot(hal, { thing: (h) => new ShadeThing(h) });
    expect(s.status).toBe('done: position: moved to 75');
  });

  test('the heartbeat interval comes from the config', async () => {
    const hal = device({ heartbeat: 60 });
    await boot(hal);
    const s2 = await boot(hal);
    const s3 = await boot(hal);
    expect([s2.report.sent, s3.report.sent]).toEqual([false, true]);
    expect(s3.report.reason).toBe('heartbeat');
  });
});

describe('boot: every path ends in deep sleep', () => {
  test('no config: ECONFIG status, no network, backoff sleep that grows', async () => {
    const hal = new MemoryHal();
    const s1 = await boot(hal);
    expect(s1.status).toBe('error: ECONFIG: aws_iot_cfg.txt: missing (expected {"region": ..., "endpt_prefix": ...})');
    expect(s1.error).toBe('ECONFIG');
    expect(hal.netUps).toBe(0);
    expect(s1.sleep.backoff).toBe(true);
    const s2 = await boot(hal);
    expect(s2.sleep.attempt).toBe(2);
    expect(hal.sleeps.length).toBe(2);
    expect(hal.sleeps[1]).toBeGreaterThan(hal.sleeps[0] as number);
  });

  test('a bad config field is named with what was expected and what came', async () => {
    const hal = device({ region: 42 });
    const s = await boot(hal);
    expect(s.status).toBe('error: ECONFIG: aws_iot_cfg.txt: field "region": expected a string like "us-east-1", got 42');
    expect(hal.sleeps.length).toBe(1);
  });

  test('a thing that cannot be built: status, sleep', async () => {
    const hal = device();
    const s = await boot(hal, {
      thing: () => {
        throw new Error('no motor driver');
      },
    });
    expect(s.status).toBe('error: the thing could not be built: no motor driver');
    expect(s.sleep.backoff).toBe(true);
    expect(hal.sleeps.length).toBe(1);
  });

  test('an unexpected throw inside the wake still ends in deep sleep', async () => {
    class Broken extends SignalThing {
      static get schema(): never {
        throw new Error('schema exploded');
      }
    }
    const hal = device();
    const s = await boot(hal, { thing: (h) => new Broken(h) });
    expect(s.status).toBe('error: schema exploded');
    expect(hal.sleeps.length).toBe(1);
  });

  test('a power cut propagates: no sleep, nothing persisted after it', async () => {
    const hal = device();
    hal.cloud.setDesired('id-1', { signal: 2 }, hal.clock.trueNow);
    hal.faults.powerCutOnIndicatorCall = 2;
    await expect(boot(hal)).rejects.toMatchObject({ code: 'EPOWER' });
    expect(hal.sleeps).toEqual([]);
    expect(hal.rtcData).toBeUndefined();
    const s = await boot(hal);
    expect(s.status).toBe('error: signal interrupted (power loss)');
  });

  test('a handler that hangs is abandoned at the budget and the device sleeps', async () => {
    class Hangs extends SignalThing {
      static schema = { position: { type: 'number' as const } };
      position(): Promise<HandlerResult> {
        return new Promise(() => {});
      }
    }
    const hal = device();
    hal.cloud.setDesired('id-1', { position: 1 }, hal.clock.trueNow);
    const s = await boot(hal, { thing: (h) => new Hangs(h) });
    expect(s.error).toBe('EBUDGET');
    expect(hal.sleeps.length).toBe(1);
  });
});

describe('boot: secrets', () => {
  test('the secret key appears in no log line, status, report or persisted record', async () => {
    const hal = device();
    hal.cloud.setDesired('id-1', { signal: 1, test: 'echo', test_param: 5 }, hal.clock.trueNow);
    await boot(hal);
    hal.cloud.failures.push({ status: 403, message: `bad key ${TEST_SECRET}` }); // even if a server echoed it
    const refused = await boot(hal);
    expect(refused.status).toMatch(/^error: EAUTH: .*403.*bad key \*\*\*$/);
    hal.files.set('aws_credentials.txt', `{"akey": "AKIDEXAMPLE", "skey": "${TEST_SECRET}", }garbage`);
    await boot(hal);
    const seen = hal.everythingWritten();
    for (const r of hal.cloud.requests) if (r.body) seen.push(r.body);
    expect(seen.length).toBeGreaterThan(5);
    for (const line of seen) expect(line).not.toContain(TEST_SECRET);
    expect(seen.join('\n')).toContain('***'); // the echoed key was scrubbed, not merely absent
  });
});
