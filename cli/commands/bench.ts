/**
 * `dormouse bench`: run the registered benchmarks (bench/index.ts) and print their figures as a
 * table, flagging each figure over its budget. Exits 1 when a budget is exceeded or a benchmark
 * fails, so CI can run it.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BENCHES, overBudget, packageRoot, type BenchFigure } from '../../bench/index.js';
import type { Command, CommandIo } from '../command.js';
import { UsageError } from '../command.js';

const USAGE = `usage: dormouse bench [--only NAME[,NAME...]] [--json]

Run the benchmarks and print their figures; a figure over its budget is flagged and makes the
exit code 1.

benchmarks:
${BENCHES.map((b) => `  ${b.name.padEnd(8)}  ${b.summary}`).join('\n')}

options:
  --only NAMES   run only these benchmarks (comma-separated)
  --json         print one JSON object per line instead of the table`;

/** One row of the table: a figure of a benchmark, or the error it failed with. */
interface Row {
  readonly bench: string;
  readonly figure?: BenchFigure;
  readonly error?: string;
}

function formatValue(f: BenchFigure): string {
  if (Number.isNaN(f.value)) return '-';
  return Number.isInteger(f.value) ? f.value.toLocaleString('en-US') : f.value.toFixed(1);
}

/** The rows as an aligned text table. */
export function formatTable(rows: readonly Row[]): string {
  const cells = rows.map((r) => {
    if (r.error !== undefined) return [r.bench, 'FAILED', '', '', '', r.error];
    const f = r.figure as BenchFigure;
    const budget = f.budget === undefined ? '' : `${f.budget.toLocaleString('en-US')} ${f.unit}`;
    const status = overBudget(f) ? 'OVER BUDGET' : f.budget === undefined ? '' : 'ok';
    return [r.bench, f.name, `${formatValue(f)} ${f.unit}`.trim(), budget, status, f.note ?? ''];
  });
  const head = ['bench', 'figure', 'value', 'budget', 'status', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: readonly string[]): string =>
    c.map((x, i) => (i === 2 || i === 3 ? x.padStart(widths[i] as number) : x.padEnd(widths[i] as number))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  let values: { only?: string; json?: boolean };
  try {
    ({ values } = parseArgs({ args: [...argv], options: { only: { type: 'string' }, json: { type: 'boolean' } }, allowPositionals: false }));
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const names = values.only === undefined ? BENCHES.map((b) => b.name) : values.only.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = names.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length > 0) throw new UsageError(`unknown benchmark ${unknown.join(', ')}; expected one of ${BENCHES.map((b) => b.name).join(', ')}`);
  const ctx = { root: packageRoot(fileURLToPath(new URL('.', import.meta.url))), env: io.env };
  const rows: Row[] = [];
  for (const bench of BENCHES.filter((b) => names.includes(b.name))) {
    try {
      for (const figure of await bench.run(ctx)) rows.push({ bench: bench.name, figure });
    } catch (e) {
      rows.push({ bench: bench.name, error: e instanceof Error ? e.message : String(e) });
    }
  }
  if (values.json) for (const r of rows) io.stdout.write(`${JSON.stringify(r)}\n`);
  else io.stdout.write(`${formatTable(rows)}\n`);
  const failed = rows.filter((r) => r.error !== undefined || (r.figure !== undefined && overBudget(r.figure)));
  return failed.length > 0 ? 1 : 0;
}

/** The `bench` command. */
export const benchCommand: Command = { name: 'bench', summary: 'measure bundle sizes, memory and signing time against their budgets', usage: USAGE, run };
