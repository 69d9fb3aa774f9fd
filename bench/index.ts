/**
 * The benchmarks `npm run bench` (`dormouse bench`) runs, in order. To add one: write a module
 * with `run(ctx): Promise<BenchFigure[]>` (see ./figure.ts) and list it here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Bench, BenchFigure } from './figure.js';
import { run as runMemory } from './memory.js';
import { benchSign } from './sign.js';
import { run as runSize } from './size.js';

export type { Bench, BenchContext, BenchFigure } from './figure.js';
export { overBudget } from './figure.js';

/** Every registered benchmark. */
export const BENCHES: readonly Bench[] = [
  { name: 'size', summary: 'device bundle sizes, minified and gzipped', run: runSize },
  { name: 'memory', summary: 'JsVars of the app bundle loaded on Espruino (needs ESPRUINO_BIN)', run: runMemory },
  { name: 'sign', summary: 'SigV4 sign() time, native and pure-TypeScript hashing', run: async () => (await benchSign()) as BenchFigure[] },
];

/** The directory holding dormouse's package.json, found upwards from `from`. */
export function packageRoot(from: string): string {
  let dir = from;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'dormouse') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no dormouse package.json above ${from}`);
    dir = up;
  }
}
