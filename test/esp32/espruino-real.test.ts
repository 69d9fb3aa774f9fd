/**
 * `dist/esp32.min.js` on the real Espruino interpreter (the Linux build named by ESPRUINO_BIN)
 * against the local cloud: real parser, real `tls`, `dgram`, `crypto` and `Storage`
 * (`./espruino.flash` in the run's directory, kept across wakes); only `Wifi` and `ESP32` are
 * doubled, in a small prelude. Skipped without ESPRUINO_BIN.
 *
 * With ESPRUINO_DORMOUSE_BIN naming a Linux binary built by firmware/espruino/build.sh, the same
 * wakes run on it too, with certificate verification and SNI, and a wrong CA is refused.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloud, type RunningCloud } from '../../cloud/index.js';
import { cleanEspruinoOutput, ESPRUINO_BIN } from '../support/espruino-bin.js';
import { EXAMPLE_CREDENTIALS } from '../support/fake-iot.js';
import { makeCa } from '../support/forge-pki.js';
import { esp32Bundle } from './bundles.js';
import { deviceFiles, prelude, WIFI } from '../../bench/espruino-linux-board.js';

const DORMOUSE_BIN =
  process.env.ESPRUINO_DORMOUSE_BIN !== undefined && existsSync(process.env.ESPRUINO_DORMOUSE_BIN) ? process.env.ESPRUINO_DORMOUSE_BIN : undefined;

interface RealWake {
  readonly lines: readonly string[];
  readonly sleepUs?: number;
  readonly memory?: { free: number; usage: number; total: number; blocksize: number };
  readonly durationMs: number;
}

function runWake(bin: string, cwd: string, program: string): Promise<RealWake> {
  const file = join(cwd, 'bootcde.js');
  writeFileSync(file, program);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [file], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      const lines = cleanEspruinoOutput(Buffer.concat(out).toString('latin1')).split('\n').filter((l) => l !== '');
      const sleep = lines.find((l) => l.startsWith('@@deepSleep '));
      const mem = lines.find((l) => l.startsWith('@@memory '));
      resolve({
        lines,
        sleepUs: sleep === undefined ? undefined : Number(sleep.slice(12)),
        memory: mem === undefined ? undefined : JSON.parse(mem.slice(9)),
        durationMs: Date.now() - started,
      });
    });
  });
}

function show(name: string, w: RealWake): void {
  process.stdout.write(`--- ${name} (${w.durationMs} ms)\n${w.lines.map((l) => `  ${l}`).join('\n')}\n`);
}

let cloud: RunningCloud;
let dir: string;
let bundle: string;

const ANY_BIN = ESPRUINO_BIN !== undefined || DORMOUSE_BIN !== undefined;

describe.skipIf(!ANY_BIN)('esp32 bundle on the real Espruino interpreter', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dormouse-esp32-real-'));
    [bundle, cloud] = await Promise.all([
      esp32Bundle(),
      startCloud({ host: '127.0.0.1', port: 0, ntpPort: 0, dataDir: join(dir, 'cloud'), credentials: EXAMPLE_CREDENTIALS, throttle: false }),
    ]);
  }, 180_000);

  afterAll(async () => {
    await cloud?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const bins: [string, string | undefined][] = [
    ['stock Linux build (ESPRUINO_BIN)', ESPRUINO_BIN],
    ['dormouse TLS build (ESPRUINO_DORMOUSE_BIN)', DORMOUSE_BIN],
  ];
  for (const [label, bin] of bins) {
    it.skipIf(bin === undefined)(`${label}: a power-on wake and two timer wakes report to the cloud and deep-sleep`, async () => {
      const cwd = mkdtempSync(join(dir, 'board-'));
      const thing = `esp-real-${label.startsWith('stock') ? 'stock' : 'dormouse'}`;
      const files = deviceFiles(cloud, WIFI, { thing });
      const first = await runWake(bin as string, cwd, prelude(0, files) + bundle);
      show(`${label}: wake 1`, first);
      expect(first.lines.filter((l) => l.startsWith('Uncaught'))).toEqual([]);
      expect(first.sleepUs).toBe(30_000_000);
      expect(first.lines).toContain('@@wifi off');
      const doc1 = cloud.shadows.get({ thing }, Date.now()) as { state: { reported: { status: string } } };
      expect(doc1.state.reported.status).toMatch(/^done/);

      cloud.shadows.update({ thing }, { state: { desired: { signal: 2, sleep: 40 } } } as never, EXAMPLE_CREDENTIALS.accessKeyId, Date.now());
      const second = await runWake(bin as string, cwd, prelude(4, files) + bundle);
      show(`${label}: wake 2`, second);
      expect(second.sleepUs).toBe(40_000_000);
      const doc2 = cloud.shadows.get({ thing }, Date.now()) as { state: { reported: Record<string, unknown> } };
      expect(doc2.state.reported.signal).toBe(2);
      expect(doc2.state.reported.sleep).toBe(40);

      const third = await runWake(bin as string, cwd, prelude(4, files) + bundle);
      show(`${label}: wake 3`, third);
      expect(third.sleepUs).toBe(40_000_000);
      expect(third.memory?.total).toBeGreaterThan(0);
      process.stdout.write(`  memory after wake 3: ${JSON.stringify(third.memory)}\n`);
    });
  }

  it.skipIf(DORMOUSE_BIN === undefined)('dormouse TLS build: a CA that did not sign the cloud is refused (ETLS) and the board sleeps', async () => {
    const cwd = mkdtempSync(join(dir, 'board-'));
    const files = { ...deviceFiles(cloud, WIFI, { thing: 'esp-real-wrong-ca' }), 'ca.pem': makeCa('not the cloud CA').cert };
    const w = await runWake(DORMOUSE_BIN as string, cwd, prelude(0, files) + bundle);
    show('dormouse TLS build: wrong CA', w);
    expect(w.lines.join('\n')).toMatch(/ETLS/);
    expect(w.sleepUs).toBeGreaterThan(0);
    expect(cloud.shadows.get({ thing: 'esp-real-wrong-ca' }, Date.now())).toBeUndefined();
  });
});
