/**
 * The shipped bundles (dist/app.min.js, dist/esp32.min.js) are what Espruino can run: ES5 syntax
 * (es-check), only ES features Espruino has, no copy of the published tslib, ASCII only (the
 * espruino CLI mangles anything above 255), nothing Espruino mishandles that the sandbox cannot
 * imitate (espruino-lint), within the size budgets; the app bundle loads in the sandbox.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runChecks } from 'es-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BUDGETS } from '../../bench/budgets.js';
import { runInEspruinoSandbox } from '../support/espruino-sandbox.js';
import { shippedBundle, type BundleSpec } from './dist-bundles.js';
import { espruinoRegexProblem, lintForEspruino } from './espruino-lint.js';

/** ES features es-check reports that Espruino 2v29 has (measured; see espruino-builtins.test.ts). */
const ESPRUINO_HAS = [
  'Promise', 'PromiseResolve', 'PromiseReject', 'StringPadStart', 'StringPadEnd', 'ArrayPrototypeIncludes',
  'ObjectValues', 'ObjectEntries', 'ObjectFromEntries', 'StringReplaceAll', 'ArrayBuffer', 'DataView', 'Uint8Array',
  'Int8Array', 'Uint8ClampedArray', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array', 'Float32Array', 'Float64Array',
];

const tmp = mkdtempSync(join(tmpdir(), 'dormouse-bundle-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function esCheck(name: string, code: string, checkFeatures: boolean): Promise<string[]> {
  const file = join(tmp, `${name}.js`);
  writeFileSync(file, code);
  const result = await runChecks(
    [{ ecmaVersion: 'es5', files: [file], module: false, checkFeatures, ...(checkFeatures ? { ignore: ESPRUINO_HAS.join(',') } : {}) }],
    { logger: null },
  );
  return result.success ? [] : result.errors.map((e) => e.err?.message ?? String(e));
}

const BUDGET: Record<BundleSpec['name'], { bytes: number; gzip: number }> = {
  app: { bytes: BUDGETS.appBundleBytes, gzip: BUDGETS.appBundleGzipBytes },
  esp32: { bytes: BUDGETS.esp32BundleBytes, gzip: BUDGETS.esp32BundleGzipBytes },
};

describe.each(['app', 'esp32'] as const)('bundle %s', (name) => {
  const load = async (): Promise<string> => {
    const code = await shippedBundle(name);
    if (code === undefined) throw new Error(`the ${name} bundle's entry does not exist yet`);
    return code;
  };

  it('is ES5 syntax (es-check es5)', async () => {
    expect(await esCheck(name, await load(), false)).toEqual([]);
  }, 120_000);

  it('uses no ES feature beyond what Espruino has (es-check --checkFeatures)', async () => {
    expect(await esCheck(`${name}-features`, await load(), true)).toEqual([]);
  }, 120_000);

  it('contains no copy of the published tslib (only firmware/runtime helpers) and no Symbol', async () => {
    const code = await load();
    for (const marker of ['Symbol', 'Iterator', 'extendStatics', 'SuppressedError', 'Array.prototype.slice', '__proto__:[]']) {
      expect(code.includes(marker), `bundle contains ${marker}`).toBe(false);
    }
  }, 120_000);

  it('is ASCII only', async () => {
    const code = await load();
    const at = code.search(/[^\x00-\x7f]/);
    expect(at, at >= 0 ? `non-ASCII ${JSON.stringify(code.slice(Math.max(0, at - 20), at + 20))}` : '').toBe(-1);
  }, 120_000);

  it('has nothing Espruino mishandles (regex limits, labels, array holes, return in finally, missing builtins)', async () => {
    expect(lintForEspruino(await load(), `${name}.min.js`)).toEqual([]);
  }, 120_000);

  it('is within its size budget (bench/budgets.ts)', async () => {
    const code = await load();
    const bytes = Buffer.byteLength(code);
    const gzip = gzipSync(code, { level: 9 }).length;
    expect(bytes).toBeLessThanOrEqual(BUDGET[name].bytes);
    expect(gzip).toBeLessThanOrEqual(BUDGET[name].gzip);
  }, 120_000);
});

describe('bundle app in the sandbox', () => {
  it('sets the global dormouse with boot() and a sha256 sourceHash', async () => {
    const code = await shippedBundle('app');
    if (code === undefined) throw new Error('firmware/app.ts does not exist yet');
    const g = runInEspruinoSandbox(code);
    const app = g.dormouse as { boot?: unknown; sourceHash?: unknown };
    expect(typeof app.boot).toBe('function');
    expect(app.sourceHash).toMatch(/^[0-9a-f]{64}$/);
  }, 120_000);
});

describe('espruino lint catches what it is for', () => {
  it.each([
    ['/a{2}/', '{n,m} quantifier'],
    ['/a+?/', '? quantifier'],
    ['/ab?/', '? quantifier'],
    ['/^a(b)+$/', 'after a group'],
    ['/\\bx/', 'word boundary'],
    ['/\\u0041/', '\\u escape'],
    ['/(a)\\1/', 'backreference'],
    ['/a(?=b)/', '(? group'],
    ['/a(?:b|c)d/', '(? group'],
    ['/^a/m', 'flag m'],
  ])('regex %s: %s', (literal, problem) => {
    expect(espruinoRegexProblem(literal)).toContain(problem);
  });

  it.each(['/a(b|c)d[\\]{}?]*$/gi', '/^[0-9a-f]+$/i', '/\\s*,\\s*/', '/%[0-9A-F][0-9A-F]/g'])('regex %s is fine', (literal) => {
    expect(espruinoRegexProblem(literal)).toBeUndefined();
  });

  it('finds labels, holes, return in finally and builtins Espruino lacks', () => {
    const code = [
      'outer: for (;;) { break outer; }',
      'var a = [1, , 3];',
      'function f() { try { g(); } finally { return 1; } }',
      'function h() { try { g(); } finally { var k = function () { return 2; }; } }',
      'var e = Number.EPSILON;',
      'var d = Date.UTC(2020, 0, 1) + new Date(0).setUTCHours(1);',
      'throw new RangeError(encodeURI("x"));',
    ].join('\n');
    expect(lintForEspruino(code, 'x.js').map((f) => `${f.rule} @${f.at}`)).toEqual([
      'labelled statement @x.js:1:1',
      'array hole @x.js:2:9',
      'return inside finally @x.js:3:39',
      'missing on Espruino: .EPSILON @x.js:5:9',
      'missing on Espruino: Date.UTC @x.js:6:9',
      'missing on Espruino: .setUTCHours @x.js:6:32',
      'missing on Espruino: RangeError @x.js:7:11',
      'missing on Espruino: encodeURI @x.js:7:22',
    ]);
  });
});
