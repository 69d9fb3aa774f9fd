import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, resolveClientConfig } from '../../cli/client-config.js';
import { run } from '../../cli/main.js';
import { startCloud } from '../../cloud/index.js';
import type { RunningCloud } from '../../cloud/index.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

let project: string;
let cloud: RunningCloud;

async function dormouse(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await run(args, { stdout, stderr, cwd: project, env: {} });
  return { code, out: stdout.text, err: stderr.text };
}

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'dormouse-cli-cloud-'));
  cloud = await startCloud({ dataDir: join(project, '.dormouse', 'cloud'), port: 0, ntpPort: false, env: {}, log: () => undefined });
});
afterAll(async () => {
  await cloud?.close();
  rmSync(project, { recursive: true, force: true });
});

describe('dormouse shadow against the real local cloud (no flags)', () => {
  it('cli shadow: update, get, list, history, delete round trip through the local cloud', async () => {
    const up = await dormouse(['shadow', 'update', 'dev:1', '--desired', 'sleep=60', '--desired', 'signal=2', '--reported', 'sleep=30']);
    expect(up.err).toBe('');
    expect(up.code).toBe(0);
    expect(up.out).toMatch(/^accepted: dev:1 is now at version 1\n/);

    const get = await dormouse(['shadow', 'get', 'dev:1']);
    expect(get.code).toBe(0);
    expect(get.out).toMatch(/^thing dev:1, classic shadow, version 1/);
    const doc = JSON.parse(get.out.substring(get.out.indexOf('\n\n') + 2));
    expect(doc.state.delta).toEqual({ sleep: 60, signal: 2 });

    expect((await dormouse(['shadow', 'update', 'dev:1', '--name', 'cfg', '--reported', 'x=1'])).code).toBe(0);
    const list = await dormouse(['shadow', 'list', 'dev:1']);
    expect(list.out).toBe('cfg\n');

    const hist = await dormouse(['shadow', 'history', 'dev:1']);
    expect(hist.code).toBe(0);
    expect(hist.out.trim().split('\n').length).toBeGreaterThanOrEqual(2);
    expect(hist.out).toContain('sleep');

    const del = await dormouse(['shadow', 'delete', 'dev:1']);
    expect(del.code).toBe(0);
    const gone = await dormouse(['shadow', 'get', 'dev:1']);
    expect(gone.code).toBe(1);
    expect(gone.err).toMatch(/^HTTP\/1\.1 404 Not Found\nx-amzn-ErrorType: ResourceNotFoundException/);
  });

  it('cli client: a GET and a POST to the local cloud share one kept-alive connection', async () => {
    const config = resolveClientConfig({}, { cwd: project, env: {} });
    const { client, http } = createClient(config, 5000);
    try {
      await client.update('ka', { state: { reported: { n: 1 } } });
      const r = await client.get('ka');
      expect(r.body.state?.reported).toEqual({ n: 1 });
      expect(http.stats).toEqual({ connections: 1, requests: 2 });
    } finally {
      http.close();
    }
  });

  it('cli publish: publishes to the local cloud', async () => {
    const r = await dormouse(['publish', 'dt/dev1/temp', '{"t":21}']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^published 8 bytes to dt\/dev1\/temp \(qos 0\)/);
  });
});
