/**
 * The firmware as it ships: `dist/app.min.js`, compiled once into a `vm.Script` and run in a
 * FRESH `node:vm` context on every wake. A context holds only the language's builtins (no
 * `require`, `process`, timers or console), so the firmware reaches the machine through the HAL
 * alone, and nothing it kept in memory survives into the next wake.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createContext, Script } from 'node:vm';
import type { Hal } from '../hal.js';

/** What the bundle's global `dormouse` offers. */
export interface AppModule {
  /** Runs one wake and deep-sleeps; resolves with the wake's summary. */
  boot(hal: Hal, options?: unknown): Promise<unknown>;
  /** SHA-256 the build stamped into the bundle. */
  readonly sourceHash: string;
}

/** The compiled bundle. */
export interface AppBundle {
  /** The file it was read from. */
  readonly file: string;
  /** `dormouse.sourceHash` of the bundle. */
  readonly sourceHash: string;
  /** SHA-256 of the file's bytes. */
  readonly fileHash: string;
  readonly bytes: number;
  /** A fresh context with the bundle run in it; `ms` is what that cost. */
  instantiate(): { readonly app: AppModule; readonly ms: number };
}

/** The project root: the nearest directory above this module holding dormouse's package.json. */
export function projectRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(from);
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'dormouse') return dir;
      } catch {
        // not ours
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`no dormouse package.json above ${from}`);
    dir = up;
  }
}

/** Where the shipped app bundle is: `DIST/app.min.js` of the project. */
export function defaultAppPath(): string {
  return join(projectRoot(), 'dist', 'app.min.js');
}

function appOf(context: Record<string, unknown>, file: string): AppModule {
  const g = context['dormouse'] as { boot?: unknown; sourceHash?: unknown } | undefined;
  if (g === undefined || g === null || typeof g.boot !== 'function') {
    throw new Error(`${file}: expected a bundle that sets the global dormouse with boot(hal), got ${g === undefined ? 'no dormouse global' : 'no boot function'}`);
  }
  return { boot: g.boot as AppModule['boot'], sourceHash: typeof g.sourceHash === 'string' ? g.sourceHash : '' };
}

/** Compile the bundle in `file` (default {@link defaultAppPath}). Throws when it is missing or broken. */
export function loadAppBundle(file: string = defaultAppPath()): AppBundle {
  if (!existsSync(file)) throw new Error(`${file}: missing (expected the app bundle; run \`npm run build\`)`);
  const code = readFileSync(file, 'utf8');
  const script = new Script(code, { filename: file });
  const instantiate = (): { app: AppModule; ms: number } => {
    const t0 = performance.now();
    // V8 gives every context a `console` (silent here); hide it: the firmware logs through the HAL.
    const context = createContext({ console: undefined }, { name: 'dormouse wake', codeGeneration: { strings: false, wasm: false } });
    script.runInContext(context);
    const app = appOf(context as Record<string, unknown>, file);
    return { app, ms: performance.now() - t0 };
  };
  const first = instantiate().app;
  return {
    file,
    sourceHash: first.sourceHash,
    fileHash: createHash('sha256').update(code).digest('hex'),
    bytes: Buffer.byteLength(code),
    instantiate,
  };
}
