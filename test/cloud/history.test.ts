/**
 * The read-only shadow history: every accepted document per thing (what changed, when, by which
 * key id), printed by `printHistory` (what `dormouse shadow history THING` calls).
 */
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printHistory } from '../../cloud/index.js';
import type { RunningCloud } from '../../cloud/index.js';
import type { HistoryRecord } from '../../cloud/history.js';
import { shadowApi, startTestCloud, tempDir } from './support/cloud-fixture.js';

let cloud: RunningCloud;

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

beforeAll(async () => {
  cloud = await startTestCloud();
  const api = shadowApi(cloud);
  await api.update('h1', { state: { desired: { sleep: 60 } } });
  await api.update('h1', { state: { reported: { sleep: 60, status: 'done' } }, clientToken: 'x' });
  await api.update('h1', { state: { reported: { ignored: 1 } }, version: 99 }); // 409: not history
  await api.update('h1', { state: { desired: { mode: 'eco' } } }, 'cfg');
  await api.delete('h1');
  await api.update('h2', { state: { reported: { other: true } } });
});
afterAll(async () => {
  await cloud.close();
});

describe('history', () => {
  it('history: lists every accepted change of a thing, oldest first, with version, key id and what changed', async () => {
    const out = sink();
    expect(await printHistory({ dir: cloud.dataDir, thing: 'h1', out: out.stream })).toBe(0);
    const lines = out.text().trim().split('\n');
    expect(lines.length).toBe(4);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z  classic  v1  update  AKIDEXAMPLE  \{"desired":\{"sleep":60\}\}$/);
    expect(lines[1]).toContain('classic  v2  update  AKIDEXAMPLE  {"reported":{"sleep":60,"status":"done"}}');
    expect(lines[2]).toContain('shadow:cfg  v1  update  AKIDEXAMPLE  {"desired":{"mode":"eco"}}');
    expect(lines[3]).toContain('classic  v2  delete  AKIDEXAMPLE  deleted');
    expect(out.text()).not.toContain('ignored');
    expect(out.text()).not.toContain('other');
  });

  it('history: --json gives records with the state after each change; a shadow filter narrows it', async () => {
    const out = sink();
    expect(await printHistory({ dir: cloud.dataDir, thing: 'h1', shadow: '', json: true, out: out.stream })).toBe(0);
    const records = JSON.parse(out.text()) as HistoryRecord[];
    expect(records.map((r) => [r.shadow, r.version, r.op])).toEqual([
      [null, 1, 'update'],
      [null, 2, 'update'],
      [null, 2, 'delete'],
    ]);
    expect(records[1]?.state).toEqual({ desired: { sleep: 60 }, reported: { sleep: 60, status: 'done' } });
    expect(records[1]?.keyId).toBe('AKIDEXAMPLE');
    expect(Date.parse(records[0]?.at ?? '')).toBeGreaterThan(Date.now() - 60_000);
    const named = sink();
    await printHistory({ dir: cloud.dataDir, thing: 'h1', shadow: 'cfg', json: true, out: named.stream });
    expect((JSON.parse(named.text()) as HistoryRecord[]).map((r) => r.change)).toEqual([{ desired: { mode: 'eco' } }]);
  });

  it('history: limit keeps the newest entries', async () => {
    const out = sink();
    await printHistory({ dir: cloud.dataDir, thing: 'h1', limit: 1, out: out.stream });
    expect(out.text().trim().split('\n')).toHaveLength(1);
    expect(out.text()).toContain('delete');
  });

  it('history: a thing without history, or a directory without a cloud, exits 1 with a message', async () => {
    const out = sink();
    const err = sink();
    expect(await printHistory({ dir: cloud.dataDir, thing: 'nobody', out: out.stream, err: err.stream })).toBe(1);
    expect(err.text()).toContain("no history for thing 'nobody'");
    const err2 = sink();
    expect(await printHistory({ dir: tempDir(), thing: 'h1', out: out.stream, err: err2.stream })).toBe(1);
    expect(err2.text()).toContain('no cloud database');
    expect(out.text()).toBe('');
  });

  it('history: only the newest N entries per shadow are kept', async () => {
    const c = await startTestCloud({ historyPerShadow: 3 });
    try {
      const api = shadowApi(c);
      for (let i = 1; i <= 5; i++) await api.update('bounded', { state: { reported: { i } } });
      const out = sink();
      await printHistory({ dir: c.dataDir, thing: 'bounded', json: true, out: out.stream });
      expect((JSON.parse(out.text()) as HistoryRecord[]).map((r) => r.version)).toEqual([3, 4, 5]);
    } finally {
      await c.close();
    }
  });
});
