/**
 * Full wakes of the ESP32 bundle (`dist/esp32.min.js`: Espruino entry + ESP32 HAL + app) in the
 * Espruino-shaped sandbox, over the doubles of Espruino's modules, against the local cloud
 * (`startCloud`: HTTPS with its own CA, SigV4, shadows, SNTP). Asserts on what reached the cloud.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloud, type RunningCloud } from '../../cloud/index.js';
import { EXAMPLE_CREDENTIALS } from '../support/fake-iot.js';
import { EspruinoBoard, type BoardOptions } from '../support/espruino-doubles/index.js';
import { esp32Bundle } from './bundles.js';
import { deviceFiles, uploadAll, type DeviceFilesOptions } from './device-files.js';

let bundle: string;
let cloud: RunningCloud;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dormouse-esp32-wake-'));
  [bundle, cloud] = await Promise.all([
    esp32Bundle(),
    startCloud({ port: 0, ntpPort: 0, httpPort: 0, dataDir: dir, credentials: EXAMPLE_CREDENTIALS, throttle: false }),
  ]);
}, 180_000);

afterAll(async () => {
  await cloud?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function board(options: Partial<BoardOptions> = {}, files: DeviceFilesOptions = {}): EspruinoBoard {
  const b = new EspruinoBoard({ powerOnClock: 'epoch', ...options });
  uploadAll(b, deviceFiles(cloud, { ssid: b.options.ap.ssid, password: b.options.ap.password }, files));
  return b;
}

function reported(thing: string): Record<string, unknown> | undefined {
  const doc = cloud.shadows.get({ thing }, Date.now()) as { state?: { reported?: Record<string, unknown> } } | undefined;
  return doc?.state?.reported;
}

function setDesired(thing: string, desired: Record<string, unknown>): void {
  cloud.shadows.update({ thing }, { state: { desired } } as never, EXAMPLE_CREDENTIALS.accessKeyId, Date.now());
}

describe('esp32 bundle: full wakes against the local cloud', () => {
  it('power-on wake: SNTP, signed GET and POST on one verified TLS connection, report, deep sleep', async () => {
    const b = board({ serial: '30aea4000001' });
    const thing = 'ESP-30aea4000001';
    const r = await b.wake(bundle, { cause: 0 });
    if (process.env.DORMOUSE_ESP32_ECHO === '1') process.stdout.write(`${r.console.join('\n')}\n`);
    const status = reported(thing)?.status;
    expect(r.uncaught).toEqual([]);
    expect(r.sleepUs).toBe(30_000_000);
    expect(String(status)).toMatch(/^done/);
    // The clock started at 1970 (power-on): the wake synced it over SNTP before signing.
    expect(r.datagrams.some((d) => d.port === cloud.ntpPort && d.bytes === 48)).toBe(true);
    const tlsConns = r.connections.filter((c) => c.tls);
    expect(tlsConns).toEqual([{ host: 'localhost', port: cloud.port, tls: true, servername: 'localhost', ca: true }]);
    expect(r.watchdog.auto).toBe(false);
    expect(r.watchdog.started).toBeGreaterThan(20);
    expect(r.console.some((l) => /wake 1 \(power-on\)/.test(l) || /sleep/.test(l))).toBe(true);
    expect(r.console.join('\n')).not.toContain(cloud.credentials.secretAccessKey);
  });

  it('timer wake: applies desired signal (blinks the LED), reports it, keeps the state in flash', async () => {
    const b = board({ serial: '30aea4000002' });
    const thing = 'ESP-30aea4000002';
    const first = await b.wake(bundle, { cause: 0 });
    expect(first.sleepUs).toBe(30_000_000);
    setDesired(thing, { signal: 3, sleep: 45 });
    const second = await b.wake(bundle, { cause: 4 });
    expect(second.uncaught).toEqual([]);
    const rep = reported(thing) as Record<string, unknown>;
    expect(rep.signal).toBe(3);
    expect(rep.sleep).toBe(45);
    expect(String(rep.status)).toMatch(/^done/);
    expect(second.pins.D2?.filter((v) => v === 1).length).toBe(3);
    expect(second.sleepUs).toBe(45_000_000);
    // A timer wake trusts the clock kept across deep sleep: no SNTP.
    expect(second.datagrams).toEqual([]);
    expect([...b.flash.files.keys()].some((k) => k.startsWith('dormouse.state~'))).toBe(true);

    const third = await b.wake(bundle, { cause: 4 });
    expect(third.pins.D2 ?? []).not.toContain(1);
    expect(third.sleepUs).toBe(45_000_000);
  });

  it('stock ESP32 firmware (no verification, SNI "mbed TLS Server 1") also completes a wake with the local cloud', async () => {
    const b = board({ serial: '30aea4000003', flavour: 'stock-esp32' });
    const r = await b.wake(bundle, { cause: 0 });
    expect(r.sleepUs).toBe(30_000_000);
    expect(String(reported('ESP-30aea4000003')?.status)).toMatch(/^done/);
  });

  it('plain HTTP to the local cloud over net works for boards without TLS', async () => {
    const b = board({ serial: '30aea4000004', flavour: 'stock-esp32' }, { plainHttp: true });
    const r = await b.wake(bundle, { cause: 0 });
    expect(r.connections.every((c) => !c.tls)).toBe(true);
    expect(String(reported('ESP-30aea4000004')?.status)).toMatch(/^done/);
  });

  it('a server not signed by the configured CA is refused (ETLS) and the board still sleeps, backing off', async () => {
    const b = board({ serial: '30aea4000005' });
    b.upload('ca.pem', (await import('../support/forge-pki.js')).makeCa('not the cloud CA').cert);
    const r = await b.wake(bundle, { cause: 0 });
    expect(r.sleepUs).toBeGreaterThan(0);
    expect(r.console.join('\n')).toMatch(/ETLS/);
    expect(reported('ESP-30aea4000005')).toBeUndefined();
  });

  it('no Wi-Fi: the wake fails with ENET and the board sleeps anyway', async () => {
    const b = board({ serial: '30aea4000006' });
    b.upload('wifi.json', JSON.stringify({ ssid: b.options.ap.ssid, password: 'wrong' }));
    const r = await b.wake(bundle, { cause: 0 });
    expect(r.sleepUs).toBeGreaterThan(0);
    expect(r.console.join('\n')).toMatch(/ENET.*AUTH_FAIL/);
  });

  it('missing config: the board sleeps instead of looping awake', async () => {
    const b = new EspruinoBoard({ serial: '30aea4000007' });
    const r = await b.wake(bundle, { cause: 0 });
    expect(r.sleepUs).toBeGreaterThan(0);
    expect(r.console.join('\n')).toMatch(/ECONFIG|aws_iot_cfg\.txt/);
  });

  it('after a power-on the wake waits a grace period (to allow reflashing); a timer wake does not', async () => {
    const b = board({ serial: '30aea4000008' }, { board: { bootGraceMs: 700, ledPin: 'D5' } });
    const r = await b.wake(bundle, { cause: 0 });
    // The boot line names the app build (the same hash `dormouse sim --version` prints).
    expect(r.console[0]).toMatch(/^dormouse: app [0-9a-f]{64}$/);
    expect(r.console[1]).toBe('dormouse: power-on: wake starts in 700 ms (type reset() to stay awake for flashing)');
    expect(r.awakeMs).toBeGreaterThanOrEqual(700);
    expect(r.sleepUs).toBe(30_000_000);
    const t = await b.wake(bundle, { cause: 4 });
    expect(t.console.some((l) => l.includes('grace'))).toBe(false);
    expect(t.sleepUs).toBe(30_000_000);
  });

  it('board.json fields of the wrong type are named and ignored', async () => {
    const b = board({ serial: '30aea400000a' }, { board: { bootGraceMs: 0, ledPin: 42, colour: 'red' } });
    const r = await b.wake(bundle, { cause: 4 });
    expect(r.console).toContain('dormouse: board.json: field "ledPin": expected a pin name like "D2"; ignored');
    expect(r.console).toContain('dormouse: board.json: unknown field "colour" ignored');
    expect(r.sleepUs).toBe(30_000_000);
  });

  it('out of memory (errorFlag MEMORY) ends the wake in deep sleep', async () => {
    const b = board({ serial: '30aea4000009' });
    b.upload('wifi.json', JSON.stringify({ ssid: b.options.ap.ssid, password: b.options.ap.password }));
    const r = await b.wake(bundle, { cause: 4, errorFlag: { atMs: 5, flags: ['MEMORY'] } });
    expect(r.sleepUs).toBe(60_000_000);
    expect(r.console.join('\n')).toMatch(/out of memory \(MEMORY\)/);
  });
});
