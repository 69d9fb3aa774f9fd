/**
 * Bundle sizes: each device bundle in dist/, minified and gzipped (level 9), against the budgets
 * (and the ESP32 bundle against issue 7's target).
 * The ESP32 keeps the bundle in flash (Storage `.bootcde`); the upload time and the flash wear
 * scale with the minified size, a download with the gzipped one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BUDGETS, TARGETS } from './budgets.js';
import type { BenchContext, BenchFigure } from './figure.js';

const BUNDLES: readonly { file: string; bytes: number; gzip: number; target?: number; targetNote?: string }[] = [
  { file: 'dist/app.min.js', bytes: BUDGETS.appBundleBytes, gzip: BUDGETS.appBundleGzipBytes },
  { file: 'dist/esp32.min.js', bytes: BUDGETS.esp32BundleBytes, gzip: BUDGETS.esp32BundleGzipBytes, target: TARGETS.esp32BundleBytes, targetNote: 'target from issue 7' },
];

/** Size figures of the bundles that exist; throws when none was built. */
export async function run(ctx: BenchContext): Promise<BenchFigure[]> {
  const out: BenchFigure[] = [];
  for (const b of BUNDLES) {
    const path = join(ctx.root, b.file);
    if (!existsSync(path)) continue;
    const code = readFileSync(path);
    out.push({
      name: `${b.file} minified`,
      value: code.length,
      unit: 'B',
      budget: b.bytes,
      ...(b.target !== undefined ? { target: b.target } : {}),
      ...(b.targetNote !== undefined ? { note: b.targetNote } : {}),
    });
    out.push({ name: `${b.file} gzipped`, value: gzipSync(code, { level: 9 }).length, unit: 'B', budget: b.gzip });
  }
  if (out.length === 0) throw new Error(`no bundle in ${join(ctx.root, 'dist')}: run \`npm run build\` first`);
  return out;
}
