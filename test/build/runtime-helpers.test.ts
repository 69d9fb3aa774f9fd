/**
 * firmware/runtime/tslib.ts against native semantics: the same TypeScript source compiled two
 * ways (ES2022, run natively; ES5 calling dormouse's helpers) must produce the same trace. Covers
 * what the semantics fixture does not: generators (yield*, return(), throw(), finally on early
 * exit), downlevelIteration's __values/__read, tagged templates, object rest, class statics.
 */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as helpers from '../../firmware/runtime/tslib.js';

const SOURCE = `
const out: string[] = [];
function* inner(): Generator<number, string, unknown> {
  try { yield 1; yield 2; } finally { out.push('inner-finally'); }
  return 'inner-done';
}
function* outer(): Generator<number | string, void, unknown> {
  const r = yield* inner();
  out.push('delegated ' + r);
  try {
    const got = yield 'ask';
    out.push('got ' + String(got));
    yield 3;
  } catch (e) {
    out.push('caught ' + String(e));
    yield 4;
  } finally {
    out.push('outer-finally');
  }
}
const a = outer();
out.push(JSON.stringify([a.next(), a.next(), a.next(), a.next('answer'), a.throw('boom'), a.next(), a.next()]));
const b = outer();
out.push(JSON.stringify([b.next(), b.return('early'), b.next()]));
const pairs: Array<[string, number]> = [['x', 1], ['y', 2]];
for (const [k, v] of pairs) out.push(k + v);
const [first, ...others] = [1, 2, 3];
out.push(first + ':' + others.join(','));
const { p, ...restObj } = { p: 1, q: 2, r: 3 };
out.push(p + JSON.stringify(restObj));
function tag(strings: TemplateStringsArray, ...values: unknown[]): string {
  return strings.raw.join('|') + '#' + strings.join('|') + '#' + values.join(',');
}
out.push(tag\`a\${1}b\\n\${2}c\`);
class Base { static count = 3; static get twice(): number { return this.count * 2; } hello(): string { return 'base'; } }
class Derived extends Base { override hello(): string { return 'derived>' + super.hello(); } }
out.push(Derived.count + ' ' + Derived.twice + ' ' + new Derived().hello() + ' ' + (new Derived() instanceof Base));
async function later(): Promise<string> {
  const parts: string[] = [];
  for (const n of [1, 2]) {
    try { if (n === 2) throw new Error('two'); parts.push(String(await Promise.resolve(n))); }
    catch (e) { parts.push('caught ' + (e as Error).message); }
    finally { parts.push('f' + n); }
  }
  return parts.join(' ');
}
export const result = later().then((s) => { out.push(s); return out; });
`;

function compile(target: ts.ScriptTarget): string {
  return ts.transpileModule(SOURCE, {
    compilerOptions: { target, module: ts.ModuleKind.CommonJS, downlevelIteration: true, noEmitHelpers: true, importHelpers: false, strict: true },
  }).outputText;
}

async function run(code: string, injected: Record<string, unknown>): Promise<string[]> {
  const exports: { result?: Promise<string[]> } = {};
  const names = Object.keys(injected);
  new Function('exports', ...names, code)(exports, ...names.map((n) => injected[n]));
  return (await exports.result) as string[];
}

describe('runtime helpers match native semantics', () => {
  it('generators, delegation, early return/throw, iteration, rest, tagged templates, statics, async loops', async () => {
    const native = await run(compile(ts.ScriptTarget.ES2022), {});
    const es5 = compile(ts.ScriptTarget.ES5);
    const used = Object.keys(helpers).filter((h) => es5.includes(`${h}(`));
    expect(used).toEqual(expect.arrayContaining(['__generator', '__values', '__read', '__extends', '__awaiter', '__makeTemplateObject', '__rest']));
    const compiled = await run(es5, helpers);
    expect(compiled).toEqual(native);
  });

  it('__extends copies statics, including accessors, and rejects a non-constructor', () => {
    function B(): void {}
    (B as unknown as { s: number }).s = 5;
    Object.defineProperty(B, 'g', { get: () => 7, configurable: true });
    function D(): void {}
    helpers.__extends(D, B);
    expect((D as unknown as { s: number; g: number }).s).toBe(5);
    expect((D as unknown as { s: number; g: number }).g).toBe(7);
    expect(Object.getPrototypeOf(D.prototype)).toBe(B.prototype);
    expect(() => helpers.__extends(D, 42 as unknown as null)).toThrow('Class extends value 42 is not a constructor or null');
  });

  it('__spreadArray and __values refuse non-arrays (Espruino has no iterators)', () => {
    expect(helpers.__spreadArray([0], [1, 2])).toEqual([0, 1, 2]);
    expect(() => helpers.__spreadArray([], 5 as unknown as number[])).toThrow('arrays only');
    expect(() => helpers.__values({} as unknown as number[])).toThrow('Only arrays');
  });
});
