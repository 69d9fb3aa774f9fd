/**
 * The benchmarks `npm run bench` (`dormouse bench`) runs, in order. To add one: write a module
 * exporting `run(ctx): Promise<BenchFigure[]>` (see ./figure.ts) and list it here. Modules are
 * loaded when their benchmark runs, so the CLI does not load the simulator, rollup or TypeScript
 * for other commands.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Bench, BenchContext, BenchFigure } from './figure.js';

export type { Bench, BenchContext, BenchFigure } from './figure.js';
export { formatQuantity, isSkipped, overBudget, skippedFigure, targetText } from './figure.js';

type Run = (ctx: BenchContext) => Promise<readonly BenchFigure[]>;

/** A benchmark whose module is imported when it runs. */
function lazy(name: string, summary: string, load: () => Promise<{ run: Run }>): Bench {
  return { name, summary, run: async (ctx) => (await load()).run(ctx) };
}

/** Every registered benchmark, in the order they run. */
export const BENCHES: readonly Bench[] = [
  lazy('size', 'device bundle sizes, minified and gzipped (ESP32 bundle against issue 7\'s target)', () => import('./size.js')),
  lazy('memory', 'JsVars of the app bundle loaded on Espruino (needs ESPRUINO_BIN)', () => import('./memory.js')),
  lazy('sign', 'SigV4 sign() time on Node, native and pure-TypeScript hashing', async () => {
    const { benchSign } = await import('./sign.js');
    return { run: async () => (await benchSign()) as BenchFigure[] };
  }),
  lazy('wake', 'one simulated device against the local cloud: awake time, bytes per wake, vm context cost', () => import('./wake.js')),
  lazy('fleet', 'simulated fleet against the local cloud: 200 devices x 2,000 wakes (--large: also 1,000 x 5,000)', () => import('./fleet.js')),
  lazy('cloud', 'local cloud: signed keep-alive requests/s with 50 clients, durability process and os', () => import('./cloud.js')),
  lazy('espruino', 'dist/esp32.min.js on Espruino: 3 wakes, JsVars at sleep and peak, sign time (needs ESPRUINO_BIN)', () => import('./espruino.js')),
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
