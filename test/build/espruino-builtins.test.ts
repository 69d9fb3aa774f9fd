/**
 * Keeps the sandbox honest: re-measures, on the real interpreter, every builtin member V8 has and
 * checks the sandbox's table (ESPRUINO_BUILTINS / ESPRUINO_GLOBALS) says the same. When Espruino
 * is upgraded, this test names each difference.
 */
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ESPRUINO_BUILTINS, ESPRUINO_GLOBALS } from '../support/espruino-sandbox.js';
import { ESPRUINO_BIN, runOnEspruino } from '../support/espruino-bin.js';

/** Globals Espruino has that the project forbids anyway (so the sandbox removes them). */
const FORBIDDEN_BUT_PRESENT = ['globalThis'];

/** Sample instance per builtin, as Espruino source. */
const SAMPLES: Record<string, string> = {
  Object: '({})', Function: '(function(){})', Array: '[1]', String: '"abc"', Number: '1.5', Boolean: 'true',
  Date: 'new Date(0)', RegExp: '/a/g', Error: 'new Error("e")', TypeError: 'new TypeError("e")',
  SyntaxError: 'new SyntaxError("e")', ReferenceError: 'new ReferenceError("e")', Promise: 'Promise.resolve(1)',
  ArrayBuffer: 'new ArrayBuffer(2)', DataView: 'new DataView(new ArrayBuffer(2))', TypedArray: 'new Uint8Array(2)',
};

const FUNCTION_OWN = ['length', 'name', 'prototype', 'arguments', 'caller'];
const IDENT = /^[A-Za-z_$][\w$]*$/;

/** The members V8 has for one builtin (names only), from a fresh realm. */
function v8Members(builtin: string): { statics: string[]; proto: string[] } {
  const realm = vm.runInNewContext('this') as Record<string, unknown>;
  const ctor = (builtin === 'TypedArray' ? Object.getPrototypeOf(realm.Uint8Array) : realm[builtin]) as object;
  const statics = Object.getOwnPropertyNames(ctor).filter((n) => !FUNCTION_OWN.includes(n) && IDENT.test(n));
  const prototype = typeof ctor === 'function' ? (ctor as { prototype?: object }).prototype : undefined;
  const proto = prototype ? Object.getOwnPropertyNames(prototype).filter((n) => n !== 'constructor' && IDENT.test(n)) : [];
  return { statics, proto };
}

/** Espruino's answer for each probe: 'static:x', 'proto:x', 'instance:x' → defined or not. */
async function probe(builtin: string, statics: string[], proto: string[]): Promise<Record<string, boolean>> {
  const ref = builtin === 'TypedArray' ? 'Uint8Array' : builtin;
  const lines = [`var C = ${ref};`, `var x = ${SAMPLES[builtin] ?? 'undefined'};`];
  const probeLine = (key: string, expr: string): string =>
    `try { print(${JSON.stringify(key)} + '=' + (typeof ${expr} !== 'undefined')); } catch (e) { print(${JSON.stringify(key)} + '=false'); }`;
  for (const n of statics) lines.push(probeLine(`static:${n}`, `C.${n}`));
  for (const n of proto) {
    lines.push(probeLine(`proto:${n}`, `C.prototype.${n}`));
    if (SAMPLES[builtin] !== undefined) lines.push(probeLine(`instance:${n}`, `x.${n}`));
  }
  const run = await runOnEspruino(lines.join('\n'));
  const answers: Record<string, boolean> = {};
  for (const line of run.lines) {
    const m = /^(\w+:[\w$]+)=(true|false)$/.exec(line);
    if (m) answers[m[1] as string] = m[2] === 'true';
  }
  return answers;
}

describe.skipIf(!ESPRUINO_BIN)('espruino builtins: the sandbox table matches the real interpreter', () => {
  it.each(Object.keys(ESPRUINO_BUILTINS))('%s', async (builtin) => {
    const shape = ESPRUINO_BUILTINS[builtin]!;
    const { statics, proto } = v8Members(builtin);
    const answers = await probe(builtin, statics, proto);
    const mismatches: string[] = [];
    const check = (key: string, expected: boolean): void => {
      if (!(key in answers)) mismatches.push(`${key}: not measured (interpreter crashed?)`);
      else if (answers[key] !== expected) mismatches.push(`${key}: Espruino ${answers[key] ? 'has' : 'lacks'} it, the table says the opposite`);
    };
    for (const n of statics) check(`static:${n}`, shape.statics.includes(n));
    for (const n of proto) {
      check(`proto:${n}`, shape.proto.includes(n));
      if (SAMPLES[builtin] !== undefined) check(`instance:${n}`, shape.proto.includes(n) || shape.instance.includes(n));
    }
    expect(mismatches).toEqual([]);
  });

  it('globals', async () => {
    const names = (vm.runInNewContext('Object.getOwnPropertyNames(this)') as string[]).filter((n) => n !== 'undefined');
    const lines = names.map((n) => `print(${JSON.stringify(n)} + '=' + (typeof ${n} !== 'undefined'));`);
    const wrapped = lines.map((l, i) => `try { ${l} } catch (e) { print(${JSON.stringify(names[i])} + '=false'); }`);
    const run = await runOnEspruino(wrapped.join('\n'));
    const has = new Set(run.lines.filter((l) => l.endsWith('=true')).map((l) => l.slice(0, -'=true'.length)));
    const mismatches = names.filter((n) => n !== 'console' && has.has(n) !== (ESPRUINO_GLOBALS.includes(n) || FORBIDDEN_BUT_PRESENT.includes(n)));
    expect(mismatches).toEqual([]);
  });
});
