/**
 * Bundles for the ESP32 tests, built with the project's own rollup settings
 * (rollup.config.mjs `bundleOptions`): the shipping `dist/esp32.min.js` (read from dist/ when the
 * global setup just built it, else built in memory the same way), and a test bundle exposing the
 * HAL's parts as the global `halTest`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollup, type OutputOptions, type RollupOptions } from 'rollup';
// @ts-expect-error -- rollup.config.mjs is plain JS without declarations
import { BUNDLES, bundleOptions } from '../../rollup.config.mjs';

/** The project root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const cache = new Map<string, Promise<string>>();

async function build(name: string, input: string, globalName: string | undefined): Promise<string> {
  const options = bundleOptions({
    name,
    input,
    file: undefined,
    globalName,
    declarations: [join(ROOT, 'types/espruino.d.ts')],
  }) as RollupOptions & { output: OutputOptions };
  const bundle = await rollup({ ...options, onwarn: (w, warn) => (w.code === 'MISSING_NAME_OPTION_FOR_IIFE_EXPORT' ? undefined : (options.onwarn as (a: unknown, b: unknown) => void)(w, warn)) });
  try {
    const { output } = await bundle.generate(options.output);
    const chunk = output[0];
    if (chunk.type !== 'chunk') throw new Error(`${name}: expected a chunk`);
    return chunk.code;
  } finally {
    await bundle.close();
  }
}

/** `dist/esp32.min.js` as it ships (or the file `DORMOUSE_ESP32_BUNDLE` names). */
export function esp32Bundle(): Promise<string> {
  let p = cache.get('esp32');
  if (p === undefined) {
    const dist = join(ROOT, 'dist/esp32.min.js');
    const given = process.env.DORMOUSE_ESP32_BUNDLE;
    if (given !== undefined && given !== '') p = Promise.resolve(readFileSync(given, 'utf8'));
    else if (process.env.DORMOUSE_SKIP_BUILD !== '1' && existsSync(dist)) p = Promise.resolve(readFileSync(dist, 'utf8'));
    else {
      const b = (BUNDLES as { name: string; input: string }[]).find((x) => x.name === 'esp32');
      if (b === undefined) throw new Error('rollup.config.mjs has no esp32 bundle');
      p = build('esp32-test', b.input, undefined);
    }
    cache.set('esp32', p);
  }
  return p;
}

/** The HAL test bundle: global `halTest` with `createEsp32Hal`, `createEsp32Storage`, … */
export function halTestBundle(): Promise<string> {
  let p = cache.get('hal');
  if (p === undefined) {
    p = build('esp32-hal-test', join(ROOT, 'test/esp32/fixtures/hal-entry.ts'), 'halTest');
    cache.set('hal', p);
  }
  return p;
}
