/**
 * `dormouse bench`: run the registered benchmarks (bench/index.ts) and print their figures as a
 * table: each figure with its budget (a regression guard: OVER makes the exit code 1) and its
 * target (what an issue asked for: met, or by how much it is missed; never fails the run).
 * Exits 1 when a budget is exceeded or a benchmark fails, so CI can run it.
 */
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { BENCHES, formatQuantity, isSkipped, overBudget, packageRoot, targetText, type BenchFigure } from '../../bench/index.js';
import type { Command, CommandIo } from '../command.js';
import { parseFlags, UsageError } from '../command.js';

const USAGE = `usage: dormouse bench [NAME...] [--large] [--json]

Run the benchmarks (all of them, or those named) and print their figures. A figure over its
budget is flagged OVER and makes the exit code 1; a target (what an issue asked for) is shown as
met or missed and never fails the run.

benchmarks:
${BENCHES.map((b) => `  ${b.name.padEnd(8)}  ${b.summary}`).join('\n')}

options:
  --large   also run the long variants (fleet: 1,000 devices x 5,000 wakes)
  --json    print one JSON object holding every figure instead of the table

The espruino and memory benchmarks need ESPRUINO_BIN (an Espruino Linux binary); without it
their rows say skipped. Build first: npm run build.`;

/** One row of the table: a figure of a benchmark, or the error it failed with. */
export interface BenchRow {
  readonly bench: string;
  readonly figure?: BenchFigure;
  readonly error?: string;
}

/** The rows as an aligned text table. */
export function formatTable(rows: readonly BenchRow[]): string {
  const cells = rows.map((r) => {
    if (r.error !== undefined) return [r.bench, 'FAILED', '', '', '', '', r.error];
    const f = r.figure as BenchFigure;
    const budget = f.budget === undefined ? '' : formatQuantity(f.budget, f.unit);
    const status = f.budget === undefined || isSkipped(f) ? '' : overBudget(f) ? 'OVER' : 'ok';
    return [r.bench, f.name, formatQuantity(f.value, f.unit), budget, status, targetText(f) ?? '', f.note ?? ''];
  });
  const head = ['bench', 'figure', 'value', 'budget', 'status', 'target', 'note'];
  // Columns after the value that no row fills are left out (`dormouse bench wake` has no target).
  const shown = head.map((_, i) => i <= 2 || cells.some((c) => c[i] !== ''));
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: readonly string[]): string =>
    c
      .map((x, i) => (i === 2 || i === 3 ? x.padStart(widths[i] as number) : x.padEnd(widths[i] as number)))
      .filter((_, i) => shown[i])
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** The rows as one JSON object: every figure (value null when skipped) and every failure. */
export function formatJson(rows: readonly BenchRow[]): string {
  const figures = rows.flatMap((r) => {
    if (r.figure === undefined) return [];
    const f = r.figure;
    return [
      {
        bench: r.bench,
        name: f.name,
        value: isSkipped(f) ? null : f.value,
        unit: f.unit,
        ...(f.budget !== undefined ? { budget: f.budget, over: overBudget(f) } : {}),
        ...(f.target !== undefined ? { target: f.target } : {}),
        ...(f.note !== undefined ? { note: f.note } : {}),
      },
    ];
  });
  const errors = rows.flatMap((r) => (r.error !== undefined ? [{ bench: r.bench, error: r.error }] : []));
  return JSON.stringify({ ok: !failed(rows), figures, errors });
}

/** True when a benchmark failed or a figure is over its budget. */
function failed(rows: readonly BenchRow[]): boolean {
  return rows.some((r) => r.error !== undefined || (r.figure !== undefined && overBudget(r.figure)));
}

async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, { large: { type: 'boolean' }, json: { type: 'boolean' } }, true);
  const names = positionals.length === 0 ? BENCHES.map((b) => b.name) : positionals;
  const unknown = names.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length > 0) throw new UsageError(`unknown benchmark ${unknown.join(', ')}; expected one of ${BENCHES.map((b) => b.name).join(', ')}`);
  const progress = (line: string): void => void io.stderr.write(`  ${line}\n`);
  const ctx = { root: packageRoot(fileURLToPath(new URL('.', import.meta.url))), env: io.env, large: values.large === true, progress };
  const rows: BenchRow[] = [];
  for (const bench of BENCHES.filter((b) => names.includes(b.name))) {
    io.stderr.write(`bench ${bench.name}…\n`);
    const t0 = performance.now();
    try {
      for (const figure of await bench.run(ctx)) rows.push({ bench: bench.name, figure });
    } catch (e) {
      rows.push({ bench: bench.name, error: e instanceof Error ? e.message : String(e) });
    }
    io.stderr.write(`bench ${bench.name}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  io.stdout.write(`${values.json ? formatJson(rows) : formatTable(rows)}\n`);
  return failed(rows) ? 1 : 0;
}

/** The `bench` command. */
export const benchCommand: Command = {
  name: 'bench',
  summary: 'measure sizes, memory, wakes, fleets and the cloud against their budgets and targets',
  usage: USAGE,
  run,
};
