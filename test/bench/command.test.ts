/**
 * `dormouse bench`: the table shows budgets (OVER) and targets (met / over by), the JSON holds
 * every figure, and the arguments are checked. Runs only the `size` benchmark on the built
 * bundles when they exist; no timing assertions.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../../cli/main.js';
import { formatJson, formatTable } from '../../cli/commands/bench.js';
import type { BenchRow } from '../../cli/commands/bench.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function sink(): { stream: Writable; text: () => string } {
  const parts: string[] = [];
  return { stream: new Writable({ write: (c: Buffer, _e, cb) => (parts.push(c.toString()), cb()) }), text: () => parts.join('') };
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = sink();
  const err = sink();
  const code = await run(args, { stdout: out.stream, stderr: err.stream, env: {}, cwd: ROOT });
  return { code, stdout: out.text(), stderr: err.text() };
}

const ROWS: BenchRow[] = [
  { bench: 'size', figure: { name: 'bundle minified', value: 87_511, unit: 'B', budget: 110_000, target: 24_000, note: 'issue 7' } },
  { bench: 'size', figure: { name: 'bundle gzipped', value: 40_000, unit: 'B', budget: 36_500 } },
  { bench: 'espruino', figure: { name: 'JsVars at sleep', value: NaN, unit: '', note: 'skipped: set ESPRUINO_BIN' } },
  { bench: 'cloud', error: 'port in use' },
];

describe('dormouse bench', () => {
  it('bench: the table says OVER past a budget, shows a missed target by how much, and keeps skipped and failed rows', () => {
    const lines = formatTable(ROWS).split('\n');
    expect(lines[0]).toMatch(/^bench\s+figure\s+value\s+budget\s+status\s+target\s+note$/);
    const row = (name: string): string => lines.find((l) => l.includes(name)) ?? '';
    expect(row('bundle minified')).toMatch(/87,511 B\s+110,000 B\s+ok\s+target 24,000 B: over by 63,511 B\s+issue 7/);
    expect(row('bundle gzipped')).toMatch(/40,000 B\s+36,500 B\s+OVER/);
    expect(row('JsVars at sleep')).toMatch(/ -\s+skipped: set ESPRUINO_BIN/);
    expect(row('cloud')).toMatch(/FAILED.*port in use/);
  });

  it('bench: --json is one object holding every figure with its budget and target, and every failure', () => {
    const doc = JSON.parse(formatJson(ROWS)) as { ok: boolean; figures: Record<string, unknown>[]; errors: unknown[] };
    expect(doc.ok).toBe(false);
    expect(doc.figures).toHaveLength(3);
    expect(doc.figures[0]).toEqual({ bench: 'size', name: 'bundle minified', value: 87_511, unit: 'B', budget: 110_000, over: false, target: 24_000, note: 'issue 7' });
    expect(doc.figures[1]).toMatchObject({ over: true });
    expect(doc.figures[2]).toMatchObject({ value: null, note: 'skipped: set ESPRUINO_BIN' });
    expect(doc.errors).toEqual([{ bench: 'cloud', error: 'port in use' }]);
  });

  it('bench: an unknown benchmark name is a usage error naming the known ones', async () => {
    const r = await cli(['bench', 'size', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown benchmark nope; expected one of size, memory, sign, wake, fleet, cloud, espruino');
  });

  it.skipIf(!existsSync(join(ROOT, 'dist/esp32.min.js')))('bench size --json: the built ESP32 bundle is reported against issue 7\'s 24,000-byte target', async () => {
    const r = await cli(['bench', 'size', '--json']);
    const doc = JSON.parse(r.stdout) as { figures: { name: string; value: number; target?: number }[] };
    const esp32 = doc.figures.find((f) => f.name === 'dist/esp32.min.js minified');
    expect(esp32?.target).toBe(24_000);
    expect(esp32?.value).toBeGreaterThan(0);
    expect(r.stderr).toContain('bench size');
  });
});
