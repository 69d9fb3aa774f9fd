/**
 * The shipped bundles for the build tests: read from dist/ when the global setup just built them,
 * else (DORMOUSE_SKIP_BUILD=1, or no dist/) built in memory with the same rollup.config.mjs
 * settings. `undefined` when the bundle's entry does not exist yet.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rollup, type OutputOptions, type RollupOptions } from 'rollup';
// @ts-expect-error -- rollup.config.mjs is plain JS without declarations
import { BUNDLES, bundleOptions } from '../../rollup.config.mjs';

/** One bundle as rollup.config.mjs describes it. */
export interface BundleSpec {
  readonly name: 'app' | 'esp32';
  readonly input: string;
  readonly file: string;
  readonly globalName: string | undefined;
  readonly declarations: readonly string[];
}

/** The bundles `npm run build` makes. */
export const BUNDLE_SPECS = BUNDLES as readonly BundleSpec[];

const cache = new Map<string, Promise<string | undefined>>();

async function buildInMemory(spec: BundleSpec): Promise<string> {
  const options = bundleOptions({ ...spec, name: `${spec.name}-test`, file: undefined }) as RollupOptions & { output: OutputOptions };
  const bundle = await rollup(options);
  try {
    const { output } = await bundle.generate(options.output);
    const chunk = output[0];
    if (chunk.type !== 'chunk') throw new Error(`${spec.name}: expected a chunk`);
    return chunk.code;
  } finally {
    await bundle.close();
  }
}

/** The code of a shipped bundle (see the file comment for where it comes from). */
export function shippedBundle(name: BundleSpec['name']): Promise<string | undefined> {
  let p = cache.get(name);
  if (p === undefined) {
    const spec = BUNDLE_SPECS.find((b) => b.name === name);
    if (spec === undefined) throw new Error(`rollup.config.mjs has no bundle named ${name}`);
    if (!existsSync(spec.input)) p = Promise.resolve(undefined);
    else if (process.env.DORMOUSE_SKIP_BUILD !== '1' && existsSync(spec.file)) p = Promise.resolve(readFileSync(spec.file, 'utf8'));
    else p = buildInMemory(spec);
    cache.set(name, p);
  }
  return p;
}
