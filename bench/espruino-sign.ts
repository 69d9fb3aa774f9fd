/**
 * SigV4 signing time on the real Espruino interpreter: test/bench/espruino-sign-entry.ts built
 * with the project's own rollup settings (rollup.config.mjs `bundleOptions`: ES5, Espruino-safe
 * helpers, terser), then run with native SHA-256 (the ESP32 HAL's crypto) and with the
 * pure-TypeScript fallback, key cached and key derived. Linux timings: an ESP32 at 240 MHz is
 * several times slower.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { OutputOptions, RollupOptions } from 'rollup';
import type { BenchFigure } from './figure.js';
import { markedValue, runEspruino, uncaught } from './espruino-run.js';
import { round } from './stats.js';

/** The entry, relative to the project root, and the global its bundle sets. */
export const SIGN_ENTRY = { file: 'test/bench/espruino-sign-entry.ts', globalName: 'signbench' } as const;

/** The timed runs: hashing, key derived or cached, signs per figure. */
const CASES = [
  { kind: 'native', derive: false, n: 100, label: 'native SHA-256, key cached' },
  { kind: 'native', derive: true, n: 50, label: 'native SHA-256, key derived (first sign of a wake)' },
  { kind: 'pure', derive: false, n: 10, label: 'pure TS, key cached' },
  { kind: 'pure', derive: true, n: 6, label: 'pure TS, key derived' },
] as const;

interface RollupConfigModule {
  bundleOptions(o: { name: string; input: string; file: undefined; globalName: string; declarations: string[] }): RollupOptions & { output: OutputOptions };
}

/** Build the entry into an ES5 bundle the way the device bundles are built. */
export async function buildSignBundle(root: string): Promise<string> {
  const { rollup } = await import('rollup');
  const config = (await import(pathToFileURL(join(root, 'rollup.config.mjs')).href)) as RollupConfigModule;
  const options = config.bundleOptions({
    name: 'bench-espruino-sign',
    input: join(root, SIGN_ENTRY.file),
    file: undefined,
    globalName: SIGN_ENTRY.globalName,
    declarations: [join(root, 'types/espruino.d.ts')],
  });
  const bundle = await rollup(options);
  try {
    const { output } = await bundle.generate(options.output);
    return output[0].code;
  } finally {
    await bundle.close();
  }
}

/** Sign-time figures on Espruino (ms per sign). */
export async function espruinoSignFigures(root: string, bin: string): Promise<BenchFigure[]> {
  const code = await buildSignBundle(root);
  const glue = ['var now = function () { return getTime() * 1000; };']
    .concat(CASES.map((c, i) => `print("@@sign${i} " + ${SIGN_ENTRY.globalName}.msPerSign(${JSON.stringify(c.kind)}, ${c.derive}, ${c.n}, now));`))
    .join('\n');
  const dir = mkdtempSync(join(tmpdir(), 'dormouse-bench-sign-'));
  try {
    const run = await runEspruino(bin, dir, `${code}\n${glue}\n`, 120_000);
    const errors = uncaught(run.lines);
    if (errors.length > 0 || run.timedOut) throw new Error(`sign bundle on Espruino: ${run.timedOut ? 'timed out' : errors[0]}`);
    return CASES.map((c, i) => {
      const v = Number(markedValue(run.lines, `@@sign${i} `));
      if (!isFinite(v)) throw new Error(`sign bundle on Espruino printed no figure for ${c.label}`);
      return { name: `sigv4 sign on Espruino, ${c.label}`, value: round(v, 2), unit: 'ms', note: `Linux build, mean of ${c.n}` };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
