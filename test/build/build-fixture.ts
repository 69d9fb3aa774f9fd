/**
 * Builds a TypeScript fixture into a device bundle with the project's own rollup settings
 * (rollup.config.mjs `bundleOptions`), in memory, for the build tests.
 */
import { rollup, type OutputOptions, type RollupOptions } from 'rollup';
// @ts-expect-error -- rollup.config.mjs is plain JS without declarations
import { bundleOptions, terserOptions } from '../../rollup.config.mjs';

/** Terser options as rollup.config.mjs makes them (loosely typed: the config is JS). */
export interface TerserSettings {
  ecma: number;
  toplevel: boolean;
  compress: Record<string, unknown>;
  mangle: Record<string, unknown>;
  format: Record<string, unknown>;
}

/** Options of {@link buildFixture}. */
export interface BuildFixtureOptions {
  /** Unique per fixture/variant (names the generated tsconfig). */
  readonly name: string;
  /** Absolute path of the entry. */
  readonly input: string;
  /** Global the IIFE assigns its exports to. */
  readonly globalName: string;
  /** false: skip terser (the unminified ES5 IIFE). */
  readonly minify?: boolean;
  /** Change the project's terser settings (gets a copy of them). */
  readonly adjustTerser?: (settings: TerserSettings) => void;
  /** Another helper module than firmware/runtime/tslib.ts (e.g. the published tslib). */
  readonly helpers?: string;
  /** false: leave array holes in (rollup.config.mjs fills them by default). */
  readonly fillHoles?: boolean;
}

/** The project's terser settings for a bundle exposing `globalName`. */
export function projectTerserSettings(globalName: string): TerserSettings {
  return terserOptions(globalName) as TerserSettings;
}

/** Builds the fixture and returns the bundle's code. */
export async function buildFixture(o: BuildFixtureOptions): Promise<string> {
  let terser: TerserSettings | undefined;
  if (o.adjustTerser !== undefined) {
    terser = projectTerserSettings(o.globalName);
    o.adjustTerser(terser);
  }
  const options = bundleOptions({
    name: o.name,
    input: o.input,
    file: undefined,
    globalName: o.globalName,
    minify: o.minify ?? true,
    terser,
    helpers: o.helpers,
    fillHoles: o.fillHoles ?? true,
  }) as RollupOptions & { output: OutputOptions };
  const bundle = await rollup(options);
  try {
    const { output } = await bundle.generate(options.output);
    const chunk = output[0];
    if (chunk.type !== 'chunk') throw new Error(`buildFixture ${o.name}: expected a chunk, got an asset`);
    return chunk.code;
  } finally {
    await bundle.close();
  }
}
