/**
 * Crash safety: the cloud runs as a child process, takes a burst of concurrent updates, and is
 * killed with SIGKILL mid-burst. After a restart on the same data directory every update that
 * got a 200 is there (version and values, and in the history).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readCloudInfo } from '../../cloud/index.js';
import { readHistoryFromDir } from '../../cloud/store.js';
import { EXAMPLE_CREDENTIALS, seededDir, shadowApi } from './support/cloud-fixture.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Start `cloud/main.ts` as a child process; resolves with its port and CA once it accepts requests. */
async function startChild(dir: string): Promise<{ child: ChildProcess; port: number; caPem: string }> {
  const child = spawn(
    process.execPath,
    ['--import', './test/cloud/support/register-ts.mjs', 'cloud/main.ts', '--port', '0', '--no-ntp', '--data', dir, '--no-throttle', '--quiet'],
    {
      cwd: ROOT,
      env: { ...process.env, AWS_ACCESS_KEY_ID: EXAMPLE_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: EXAMPLE_CREDENTIALS.secretAccessKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`cloud child exited with ${child.exitCode}: ${output}`);
    const info = fs.existsSync(path.join(dir, 'cloud.json')) ? readCloudInfo(dir) : undefined;
    if (info !== undefined && info.pid === child.pid) {
      return { child, port: Number(info.endpoint.split(':').pop()), caPem: fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8') };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`cloud child did not start: ${output}`);
}

describe('crash safety', () => {
  it('crash: every update acknowledged before SIGKILL is there after a restart', async () => {
    const dir = await seededDir();
    const first = await startChild(dir);
    const agent = new https.Agent({ keepAlive: true, maxSockets: 16 });
    const api = shadowApi({ port: first.port, caPem: first.caPem }, { agent });
    const acked = new Map<string, { version: number; n: number }[]>();
    let total = 0;
    let killed = false;
    const worker = async (w: number): Promise<void> => {
      const thing = `crash-${w}`;
      acked.set(thing, []);
      for (let n = 1; !killed; n++) {
        const r = await api.update(thing, { state: { reported: { n, w } } }).catch(() => undefined);
        if (r === undefined) return; // connection died with the server
        if (r.status === 200) {
          acked.get(thing)?.push({ version: r.json.version, n });
          total++;
          if (total >= 300 && !killed) {
            killed = true;
            first.child.kill('SIGKILL');
          }
        }
      }
    };
    await Promise.all(Array.from({ length: 12 }, (_, w) => worker(w)));
    agent.destroy();
    await new Promise((r) => (first.child.exitCode !== null || first.child.signalCode !== null ? r(undefined) : first.child.once('exit', r)));
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(total).toBeGreaterThanOrEqual(300);

    const second = await startChild(dir);
    const api2 = shadowApi({ port: second.port, caPem: second.caPem });
    for (const [thing, list] of acked) {
      if (list.length === 0) continue;
      const last = list[list.length - 1] as { version: number; n: number };
      const got = await api2.get(thing);
      expect(got.status).toBe(200);
      // Later, unacknowledged updates may have committed too: never fewer than acknowledged.
      expect(got.json.version).toBeGreaterThanOrEqual(last.version);
      expect(got.json.state.reported.n).toBeGreaterThanOrEqual(last.n);
      expect(got.json.state.reported.n - last.n).toBe(got.json.version - last.version);
      const history = readHistoryFromDir(dir, thing) ?? [];
      const byVersion = new Map(history.map((h) => [h.version, JSON.parse(h.change ?? 'null')]));
      for (const a of list) expect(byVersion.get(a.version)?.reported.n, `${thing} v${a.version}`).toBe(a.n);
    }
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
    expect(fs.existsSync(path.join(dir, 'cloud.json'))).toBe(false);
  }, 60_000);
});
