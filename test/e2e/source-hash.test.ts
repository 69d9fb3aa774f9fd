/**
 * The code under test on the laptop is the code that ships: `dormouse sim --version` prints the
 * source hash of the bundle the simulator runs (dist/app.min.js), and the ESP32 bundle
 * (dist/esp32.min.js) carries the same hash for the app it contains.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContext, runInContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { cli, ROOT, tempDir } from './support.js';

const APP = join(ROOT, 'dist', 'app.min.js');
const ESP32 = join(ROOT, 'dist', 'esp32.min.js');

/** `dormouse.sourceHash` of the app bundle, read by running it (not through the simulator's loader). */
function bundleHash(): string {
  const context = createContext({});
  runInContext(readFileSync(APP, 'utf8'), context);
  return (context as { dormouse: { sourceHash: string } }).dormouse.sourceHash;
}

async function simVersionHash(): Promise<string> {
  const r = await cli(['sim', '--version'], tempDir());
  expect(r.code, r.stderr).toBe(0);
  const m = /^sourceHash ([0-9a-f]{64})$/m.exec(r.stdout);
  expect(m, r.stdout).not.toBeNull();
  return (m as RegExpExecArray)[1] as string;
}

describe('one bundle, two machines', () => {
  it.skipIf(!existsSync(APP))('source hash: dormouse sim --version prints the hash of the bundle the simulator runs', async () => {
    expect(await simVersionHash()).toBe(bundleHash());
  });

  it.skipIf(!existsSync(APP) || !existsSync(ESP32))('source hash: the ESP32 bundle carries the same app source hash as the simulator\'s', async () => {
    const hash = await simVersionHash();
    const esp32 = readFileSync(ESP32, 'utf8');
    expect(esp32.includes(hash), `dist/esp32.min.js does not contain the app's source hash ${hash} (dormouse sim --version)`).toBe(true);
  });
});
