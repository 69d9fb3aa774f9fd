/**
 * The Espruino-shaped sandbox must reject what Espruino lacks (so a test fails instead of a board)
 * and keep what it has. Each expectation here is a measured fact about Espruino 2v29
 * (test/build/espruino-builtins.test.ts checks the table against the real interpreter).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createEspruinoSandbox, runInEspruinoSandbox } from '../support/espruino-sandbox.js';
import { buildFixture } from './build-fixture.js';

/** Evaluates an expression in a fresh sandbox. */
function evaluate(expression: string): unknown {
  return createEspruinoSandbox().run(`(function () { return ${expression}; })()`);
}

/** Runs statements in a fresh sandbox and returns the message of what they threw ('' if nothing). */
function thrown(statements: string): string {
  try {
    createEspruinoSandbox().run(statements);
    return '';
  } catch (e) {
    return e !== null && typeof e === 'object' ? String((e as { message?: unknown }).message) : String(e);
  }
}

describe('espruino sandbox: missing builtins fail', () => {
  it.each([
    ['new Map()', 'Map is not defined'],
    ['new Set()', 'Set is not defined'],
    ['new WeakMap()', 'WeakMap is not defined'],
    ['Symbol("x")', 'Symbol is not defined'],
    ['new Proxy({}, {})', 'Proxy is not defined'],
    ['Reflect.ownKeys({})', 'Reflect is not defined'],
    ['BigInt(1)', 'BigInt is not defined'],
    ['globalThis.x', 'globalThis is not defined'],
    ['new RangeError("r")', 'RangeError is not defined'],
    ['encodeURI("a")', 'encodeURI is not defined'],
    ['queueMicrotask(function () {})', 'queueMicrotask is not defined'],
    ['setImmediate(function () {})', 'setImmediate is not defined'],
    ['structuredClone({})', 'structuredClone is not defined'],
    ['new TextEncoder()', 'TextEncoder is not defined'],
    ['new URL("http://x")', 'URL is not defined'],
    ['Buffer.from("x")', 'Buffer is not defined'],
    ['process.env', 'process is not defined'],
    ['require("fs")', 'require is not defined'],
  ])('%s throws ReferenceError', (code, message) => {
    expect(thrown(code)).toBe(message);
  });

  it.each([
    ['Array.from([1])'],
    ['Array.of(1)'],
    ['Number.isFinite(1)'],
    ['Number.isInteger(1)'],
    ['Number.isNaN(1)'],
    ['Math.trunc(1.5)'],
    ['Math.log2(8)'],
    ['Math.imul(2, 3)'],
    ['Object.freeze({})'],
    ['Object.is(1, 1)'],
    ['Promise.race([])'],
    ['Promise.allSettled([])'],
    ['Promise.any([])'],
    ['Promise.resolve(1).finally(function () {})'],
    ['"x".trimStart()'],
    ['"x".trimEnd()'],
    ['"x".codePointAt(0)'],
    ['"x".normalize()'],
    ['"x".localeCompare("y")'],
    ['[1].lastIndexOf(1)'],
    ['[1].reduceRight(function (a) { return a; })'],
    ['[[1]].flat()'],
    ['[1].flatMap(function (x) { return [x]; })'],
    ['Uint8Array.from([1])'],
    ['new ArrayBuffer(4).slice(1)'],
    ['Date.UTC(2020, 0, 1)'],
    ['new Date(0).setUTCHours(1)'],
    ['Array.prototype.slice.call([1, 2], 1)'],
    ['String.prototype.slice.call("abc", 1)'],
    ['Function.prototype.call.call(function () {}, null)'],
    ['Promise.prototype.then.call(Promise.resolve(1), function () {})'],
  ])('%s throws TypeError (not a function)', (code) => {
    expect(thrown(code)).toMatch(/is not a function|Cannot read properties of undefined/);
  });

  it('built-in errors have no name', () => {
    expect(evaluate('[new Error("m").name, new TypeError("m").name]')).toEqual([undefined, undefined]);
  });

  it('a bundle using Map (declared away from the type check) fails in the sandbox', async () => {
    const input = fileURLToPath(new URL('./fixtures/uses-map.ts', import.meta.url));
    const code = await buildFixture({ name: 'fixture-uses-map', input, globalName: 'fixture' });
    const sandbox = runInEspruinoSandbox(code);
    const fixture = sandbox.fixture as { countWords(text: string): number };
    expect(() => fixture.countWords('a b a')).toThrow('Map is not defined');
  });
});

describe('espruino sandbox: what Espruino has still works', () => {
  it('methods are reachable on instances though not on the prototype objects', () => {
    expect(
      evaluate(`[
        [1, 2, 3].slice(1), 'abc'.slice(1), [].slice.call([4, 5], 1), (function () { return this.v; }).call({ v: 7 }),
        (1.25).toFixed(1), new Date(0).toISOString(), /b/.test('abc'), new Uint8Array([1, 2]).subarray(1)[0],
        typeof Array.prototype.slice, typeof Object.prototype.hasOwnProperty, Object.prototype.hasOwnProperty.call({ a: 1 }, 'a')
      ]`),
    ).toEqual([[2, 3], 'bc', [5], 7, '1.3', '1970-01-01T00:00:00.000Z', true, 2, 'undefined', 'function', true]);
  });

  it('ES5 builtins, padStart/includes/find, Object.assign/entries and Promise.all work', async () => {
    const sandbox = createEspruinoSandbox();
    const value = sandbox.run(`Promise.all([Promise.resolve('7'.padStart(3, '0')), [1, 2, 3].find(function (x) { return x > 1; }),
      'abc'.includes('b'), Object.entries(Object.assign({}, { a: 1 })), JSON.parse('{"x":[1]}').x[0], isFinite(1), Math.sign(-3)])`);
    expect(await (value as Promise<unknown>)).toEqual(['007', 2, true, [['a', 1]], 1, true, -1]);
  });

  it('print and console.log write lines; timers run with numeric ids', async () => {
    const sandbox = createEspruinoSandbox();
    const id = sandbox.run(`print('a', 1, { b: 2 }); console.log('c'); setTimeout(function () { print('later'); }, 1)`);
    expect(typeof id).toBe('number');
    await new Promise((r) => setTimeout(r, 20));
    expect(sandbox.output).toEqual(['a 1 {"b":2}', 'c', 'later']);
  });

  it('doubles passed as globals are visible (require, E)', () => {
    const sandbox = createEspruinoSandbox({ globals: { require: (name: string) => ({ name }), E: { getSerial: () => 'abc' } } });
    expect(sandbox.run(`require('Storage').name + ':' + E.getSerial()`)).toBe('Storage:abc');
  });
});

describe('espruino sandbox: Espruino semantics are imitated', () => {
  it('split ignores its limit', () => {
    expect(evaluate(`'a,b,c'.split(',', 2)`)).toEqual(['a', 'b', 'c']);
  });

  it('replace with a string pattern inserts a function replacement as source text', () => {
    const out = evaluate(`'abc'.replace('b', function () { return 'X'; })`) as string;
    expect(out).not.toBe('aXc');
    expect(out).toContain('function');
  });

  it('replace expands $1..$9 but not $& or $$', () => {
    expect(evaluate(`['abc'.replace(/(b)/, '[$1]'), 'abc'.replace(/b/, '[$&]'), 'abc'.replace('b', '$$')]`)).toEqual(['a[b]c', 'a[$&]c', 'a$$c']);
  });

  it('JSON.stringify ignores the replacer, JSON.parse the reviver', () => {
    expect(evaluate(`JSON.stringify({ a: 1, b: 2 }, ['a'])`)).toBe('{"a":1,"b":2}');
    expect(evaluate(`JSON.parse('{"a":1}', function (k, v) { return k === 'a' ? 2 : v; }).a`)).toBe(1);
  });

  it('an unparsable date is epoch 0, not NaN', () => {
    expect(evaluate(`[new Date('not a date').getTime(), Date.parse('nope'), new Date(0) instanceof Date, new Date(1, 2).getMonth()]`)).toEqual([0, 0, true, 2]);
  });

  it('Math.pow beyond small integer powers is inexact, as on Espruino', () => {
    expect(evaluate('Math.pow(2, 8)')).toBe(256);
    expect(evaluate('Math.pow(2, 32)')).not.toBe(4294967296);
    expect(evaluate('[Math.round(2.5), Math.round(-2.5)]')).toEqual([3, -3]);
  });

  it('sort is not stable: equal elements do not keep their order', () => {
    const order = evaluate(`[{ k: 0, i: 0 }, { k: 0, i: 1 }, { k: 0, i: 2 }].sort(function (a, b) { return a.k - b.k; }).map(function (o) { return o.i; })`);
    expect(order).not.toEqual([0, 1, 2]);
  });

  it('defineProperty ignores enumerable: false', () => {
    expect(evaluate(`Object.keys(Object.defineProperty({}, 'h', { value: 1, enumerable: false }))`)).toEqual(['h']);
  });

  it('encodeURIComponent refuses non-ASCII; decodeURIComponent refuses bytes >= 0x80', () => {
    expect(evaluate(`encodeURIComponent('a b/~')`)).toBe('a%20b%2F~');
    expect(thrown(`encodeURIComponent('\\u00e9')`)).toMatch(/non-ASCII/);
    expect(thrown(`decodeURIComponent('%C3%A9')`)).toBe('Invalid URI');
  });
});
