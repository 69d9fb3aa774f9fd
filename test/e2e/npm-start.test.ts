/**
 * `npm start` (`dormouse start`) from a directory with nothing in it: the cloud comes up, the
 * device wakes with the seed's desired state, obeys a desired change made from "another
 * terminal" (a second process running `dormouse shadow update`), and Ctrl-C stops everything
 * cleanly with exit code 0 and no stack trace.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distBuilt, spawnCli, tempDir } from './support.js';

describe('npm start', () => {
  it.skipIf(!distBuilt())('start: the device wakes, obeys a desired change made from another terminal, sleeps; Ctrl-C exits 0', async () => {
    const cwd = tempDir('dormouse-start-');
    // Free ports: a test must not depend on 8443/1123 being free.
    const start = spawnCli(['start', '--port', '0', '--ntp-port', '0', '--speed', '20'], cwd);
    try {
      await start.waitFor(/npx dormouse shadow update id-1 --desired signal=5/, 20_000);
      const first = await start.waitFor(/wake 1 power-on .*\n/, 20_000);
      expect(first[0]).toContain('blinked 2 times');
      expect(first[0]).toMatch(/time sntp/);
      expect(first[0]).toContain('report sent');
      expect(first[0]).toMatch(/sleep 30 s \(1\.5 s real\)/);

      // The second terminal: no flags, no config; the CLI finds the running cloud through .dormouse/cloud.
      const update = spawnCli(['shadow', 'update', 'id-1', '--desired', 'signal=5'], cwd);
      expect(await update.exited, update.stderr()).toBe(0);
      const obeyed = await start.waitFor(/wake \d+ timer .*blinked 5 times.*\n/, 20_000);
      expect(obeyed[0]).toContain('led ×5');
      const quiet = await start.waitFor(/wake \d+ timer .*nothing to do.*report skipped.*\n/, 20_000);
      expect(quiet[0]).toContain('time rtc');

      const get = spawnCli(['shadow', 'get', 'id-1', '--raw'], cwd);
      expect(await get.exited).toBe(0);
      const doc = JSON.parse(get.stdout()) as { state: { reported: Record<string, unknown> } };
      expect(doc.state.reported).toMatchObject({ signal: 5, sleep: 30, test: 'none', test_param: 1000 });
    } finally {
      start.child.kill('SIGINT');
    }
    expect(await start.exited).toBe(0);
    expect(start.stderr()).not.toMatch(/Error|\n\s+at /);
    expect(start.stdout()).toContain('stopped');
    expect(existsSync(join(cwd, '.dormouse', 'cloud', 'cloud.json'))).toBe(false);
  }, 90_000);
});
