/**
 * Memory of the app bundle on the real Espruino interpreter (the Linux build named by
 * ESPRUINO_BIN): JsVars in use once dist/app.min.js is loaded (functions defined, nothing run),
 * minus an empty program's, after a garbage collection. Converted to ESP32 bytes at 14 B per
 * JsVar. An upper bound for a board: the Linux build keeps function code in RAM, while an ESP32
 * running the bundle from Storage (`.bootcde`) leaves function bodies in flash.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUDGETS, ESP32_BYTES_PER_JSVAR } from './budgets.js';
import { espruinoBin } from './espruino-run.js';
import type { BenchContext, BenchFigure } from './figure.js';
import { skippedFigure } from './figure.js';

const MEMORY_LINE = 'print("@@memory " + JSON.stringify(process.memory()));\n';

interface Memory {
  readonly usage: number;
  readonly blocksize: number;
}

/** Runs `code` on Espruino in a fresh temp dir and returns process.memory() printed at its end. */
function measure(bin: string, code: string): Memory {
  const dir = mkdtempSync(join(tmpdir(), 'dormouse-bench-'));
  try {
    writeFileSync(join(dir, 'program.js'), `${code}\n${MEMORY_LINE}`);
    const r = spawnSync(bin, ['program.js'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    const line = r.stdout.split(/\r?\n/).find((l) => l.startsWith('@@memory '));
    if (line === undefined) {
      const uncaught = r.stdout.split(/\r?\n/).find((l) => l.startsWith('Uncaught '));
      throw new Error(`Espruino printed no memory figure${uncaught ? `: ${uncaught}` : ''} (exit ${r.status})`);
    }
    const m = JSON.parse(line.slice('@@memory '.length)) as Memory;
    return { usage: m.usage, blocksize: m.blocksize };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Memory figures, or a note that ESPRUINO_BIN is not set. */
export async function run(ctx: BenchContext): Promise<BenchFigure[]> {
  const bin = espruinoBin(ctx.env);
  if (bin === undefined) return [skippedFigure('app loaded on Espruino', 'set ESPRUINO_BIN to an Espruino Linux binary')];
  const bundle = join(ctx.root, 'dist/app.min.js');
  if (!existsSync(bundle)) throw new Error(`${bundle} not found: run \`npm run build\` first`);
  const empty = measure(bin, '');
  const loaded = measure(bin, readFileSync(bundle, 'utf8'));
  const jsvars = loaded.usage - empty.usage;
  return [
    { name: 'app loaded on Espruino', value: jsvars, unit: 'JsVars', budget: BUDGETS.appLoadedJsVars, note: 'Linux build, code in RAM' },
    { name: 'app loaded, as ESP32 bytes', value: jsvars * ESP32_BYTES_PER_JSVAR, unit: 'B', note: `${ESP32_BYTES_PER_JSVAR} B/JsVar` },
    { name: 'app loaded, Linux bytes', value: jsvars * loaded.blocksize, unit: 'B', note: `${loaded.blocksize} B/JsVar on this build` },
  ];
}
