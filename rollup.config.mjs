// Builds the device bundles (see shared/specs/espruino.md for why each setting is here):
//   dist/app.min.js   — the engine-neutral app (firmware/app.ts), an ES5 IIFE that sets the global
//                       `dormouse` ({ boot, sourceHash }); the simulator loads it into node:vm.
//   Both carry the same `sourceHash` of the app's sources (see appSourceHash).
//   dist/esp32.min.js — the Espruino entry (firmware/esp32.ts) + hal/esp32 + app, an ES5 IIFE.
// A bundle whose entry does not exist yet is skipped with a warning; a compile error in an
// existing entry's import graph fails the build. Tests import `bundleOptions` to build fixtures
// with exactly these settings.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import ts from 'typescript';

/** The project root (where this file lives). */
export const ROOT = dirname(fileURLToPath(import.meta.url));

/** dormouse's Espruino-safe replacement for the published tslib. */
export const RUNTIME_HELPERS = join(ROOT, 'firmware/runtime/tslib.ts');

/** Replaced, in a bundle, by the app's source hash (see {@link appSourceHash}); `firmware/app.ts` exports it. */
export const SOURCE_HASH_PLACEHOLDER = '__DORMOUSE_SOURCE_HASH__';

/** The app's entry: its import graph is what the source hash covers. */
export const APP_ENTRY = join(ROOT, 'firmware/app.ts');

/**
 * terser settings measured on Espruino 2v29 (test/build/espruino-semantics.test.ts):
 * - hoist_funs: Espruino has no function hoisting; TypeScript's ES5 classes call
 *   `__extends(D, _super)` before `function D` is declared.
 * - hoist_vars: Espruino has no `var` hoisting either: reading a `var` whose declaration has not
 *   run throws ReferenceError, and assigning it first writes a global. Declaring every `var` at
 *   the top of its function removes both traps from TypeScript's and terser's output.
 * - inline: 1: terser may inline a function that has locals into its caller and leave the
 *   `var` after the inlined `return`; Espruino does not hoist, so the write lands in an outer
 *   variable of the same mangled name (measured: the inlined `runWake` overwrote a top-level
 *   function, and every GET failed with "Expecting function, got Object"). Level 1 inlines only
 *   simple functions. test/esp32/bundle-vars.test.ts checks the bundle for the pattern.
 * - ascii_only: the espruino CLI turns characters above 255 into `?` on upload.
 * - ecma 5: Espruino rejects ES2015 syntax at parse time.
 */
export function terserOptions(globalName) {
  const keep = globalName ? [globalName] : [];
  return {
    ecma: 5,
    toplevel: true,
    compress: { hoist_funs: true, hoist_vars: true, inline: 1, passes: 2, top_retain: keep },
    mangle: { reserved: keep },
    format: { ascii_only: true, comments: false },
  };
}

/**
 * TypeScript transformer (runs after the ES5 lowering) that writes every array hole as `void 0`:
 * `[4, 6, , 7]` → `[4, 6, void 0, 7]`. Espruino 2v29 throws "SyntaxError: Got ',' expected EOF"
 * when it skips over a hole in a switch case that is not taken, and TypeScript's async/await
 * state machine emits exactly that: `case 4: return _a.trys.push([4, 6, , 7]), …`.
 */
export function fillArrayHoles(context) {
  const visit = (node) => {
    if (ts.isArrayLiteralExpression(node) && node.elements.some((e) => ts.isOmittedExpression(e))) {
      const elements = node.elements.map((e) => (ts.isOmittedExpression(e) ? context.factory.createVoidZero() : ts.visitNode(e, visit)));
      return context.factory.updateArrayLiteralExpression(node, elements);
    }
    return ts.visitEachChild(node, visit, context);
  };
  return (sourceFile) => ts.visitNode(sourceFile, visit);
}

/** Writes the tsconfig of one bundle: tsconfig.bundle.json plus its entry, so only the entry's graph is compiled. */
function bundleTsconfig(name, input, declarations) {
  const dir = join(ROOT, 'node_modules/.cache/dormouse-build');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `tsconfig.${name}.json`);
  const config = {
    extends: join(ROOT, 'tsconfig.bundle.json'),
    files: [RUNTIME_HELPERS, join(ROOT, 'types/espruino-lib.d.ts'), ...declarations, input],
    include: [],
  };
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`);
  renameSync(tmp, file);
  return file;
}

/**
 * SHA-256 over the sources of `firmware/app.ts`'s import graph (each file's path relative to
 * the project and its contents, sorted by path), as rollup resolved it. The same app sources give
 * the same hash in every bundle that contains them, whatever else the bundle holds, so the
 * simulator's bundle and the ESP32 bundle can be shown to run the same app.
 */
function appSourceHash(ctx) {
  const seen = new Set();
  const queue = [APP_ENTRY];
  while (queue.length > 0) {
    const id = queue.pop();
    if (seen.has(id)) continue;
    seen.add(id);
    const info = ctx.getModuleInfo(id);
    if (info) for (const dep of info.importedIds) if (!dep.startsWith('\0')) queue.push(dep);
  }
  const hash = createHash('sha256');
  for (const id of [...seen].map((f) => relative(ROOT, f)).sort()) {
    hash.update(`${id}\0${readFileSync(join(ROOT, id), 'utf8')}\0`);
  }
  return hash.digest('hex');
}

/** Stamps the app's source hash wherever the placeholder stands (the `sourceHash` export of `firmware/app.ts`). */
function sourceHash() {
  return {
    name: 'dormouse-source-hash',
    renderChunk(code) {
      if (!code.includes(SOURCE_HASH_PLACEHOLDER)) return null;
      if (!this.getModuleInfo(APP_ENTRY)) this.error('the bundle holds the source-hash placeholder but not firmware/app.ts');
      return { code: code.split(SOURCE_HASH_PLACEHOLDER).join(appSourceHash(this)), map: null };
    },
  };
}

/** Rollup warnings that mean the bundle would break on the device: fail instead of warning. */
const FATAL_WARNINGS = new Set(['UNRESOLVED_IMPORT', 'MISSING_GLOBAL_NAME', 'MISSING_NODE_BUILTINS', 'EVAL', 'PLUGIN_WARNING']);

/**
 * Rollup options for one device bundle: TypeScript (ES5, dormouse's helpers) → IIFE → terser.
 * `globalName` makes the IIFE set that global to the entry's exports (the app's include `sourceHash`);
 * `declarations` adds .d.ts files to the compilation (e.g. Espruino's globals for the ESP32 entry).
 * The rest exist to measure what each setting fixes (test/build/espruino-semantics.test.ts):
 * `minify: false` keeps the unminified IIFE, `terser` replaces the terser options, `helpers`
 * another helper module (e.g. the published tslib), `fillHoles: false` keeps array holes.
 */
export function bundleOptions({
  name,
  input,
  file,
  globalName,
  declarations = [],
  minify = true,
  terser: terserOverride,
  helpers = RUNTIME_HELPERS,
  fillHoles = true,
}) {
  const tsconfig = bundleTsconfig(name, input, declarations);
  const outputPlugins = [];
  if (minify) outputPlugins.push(terser(terserOverride ?? terserOptions(globalName)));
  return {
    input,
    treeshake: { moduleSideEffects: true },
    plugins: [
      typescript({ tsconfig, tslib: helpers, filterRoot: ROOT, transformers: { after: fillHoles ? [fillArrayHoles] : [] } }),
      sourceHash(),
    ],
    output: {
      file,
      format: 'iife',
      name: globalName,
      // Espruino has no Object.freeze; interop helpers are not needed (no CommonJS).
      freeze: false,
      interop: 'default',
      esModule: false,
      externalLiveBindings: false,
      generatedCode: { preset: 'es5', symbols: false },
      sourcemap: false,
      plugins: outputPlugins,
    },
    onwarn(warning, warn) {
      // An entry without a global name (the ESP32 entry) may export types and defaults for its tests.
      if (warning.code === 'MISSING_NAME_OPTION_FOR_IIFE_EXPORT' && !globalName) return;
      if (FATAL_WARNINGS.has(warning.code)) {
        throw new Error(`${name} bundle: ${warning.message}`);
      }
      warn(warning);
    },
  };
}

/** The bundles `npm run build` makes, each only when its entry exists. */
export const BUNDLES = [
  { name: 'app', input: join(ROOT, 'firmware/app.ts'), file: join(ROOT, 'dist/app.min.js'), globalName: 'dormouse', declarations: [] },
  {
    name: 'esp32',
    input: join(ROOT, 'firmware/esp32.ts'),
    file: join(ROOT, 'dist/esp32.min.js'),
    globalName: undefined,
    declarations: [join(ROOT, 'types/espruino.d.ts')].filter((f) => existsSync(f)),
  },
];

export default function config() {
  const configs = [];
  for (const bundle of BUNDLES) {
    if (existsSync(bundle.input)) configs.push(bundleOptions(bundle));
    else process.stderr.write(`rollup.config.mjs: skipping ${bundle.file.slice(ROOT.length + 1)}: ${bundle.input.slice(ROOT.length + 1)} does not exist yet\n`);
  }
  if (configs.length === 0) throw new Error('rollup.config.mjs: no bundle entry exists (firmware/app.ts, firmware/esp32.ts)');
  return configs;
}
