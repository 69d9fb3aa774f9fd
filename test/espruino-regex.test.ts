/**
 * Regular expressions in device code must be ones Espruino 2v29 actually runs. Measured on the
 * Linux build (see README "Espruino, measured"): besides what specs/espruino.md lists as missing
 * ({n,m}, lazy quantifiers, lookaround, \b, backreferences, named groups, \uXXXX, flags m s u y),
 * the `?` quantifier never matches (`/ab?/.test("a")` and `.test("ab")` are both false) and a
 * quantifier after a group never matches (`/^a(b)+$/.test("abb")` is false). A sandbox on V8
 * cannot see this, and CI has no Espruino binary, so every regex literal in code that ships to a
 * board is checked here, statically, with the TypeScript scanner.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { espruinoRegexProblem } from './build/espruino-lint.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const DEVICE_DIRS = ['src', 'firmware', 'hal/esp32'];

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (/\.(ts|js|mjs)$/.test(n) && !n.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

interface Literal {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** Every regex literal in a file, found by the TypeScript scanner (not by a regex over source). */
function regexLiterals(file: string): Literal[] {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: Literal[] = [];
  const visit = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      out.push({ file: relative(root, file), line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.getText() });
    }
    if (ts.isNewExpression(node) || ts.isCallExpression(node)) {
      if (ts.isIdentifier(node.expression) && node.expression.text === 'RegExp') {
        out.push({ file: relative(root, file), line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: 'new RegExp' });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

describe('espruino regex lint', () => {
  it('regex lint: flags the constructs Espruino 2v29 cannot run', () => {
    expect(espruinoRegexProblem('/^a(b)?$/')).toMatch(/\? quantifier/);
    expect(espruinoRegexProblem('/ab?/')).toMatch(/\? quantifier/);
    expect(espruinoRegexProblem('/^a(b)+$/')).toMatch(/after a group/);
    expect(espruinoRegexProblem('/a{2}/')).toMatch(/\{n,m\}/);
    expect(espruinoRegexProblem('/\\bword/')).toMatch(/word boundary/);
    expect(espruinoRegexProblem('/(?:a)/')).toMatch(/\(\?/);
    expect(espruinoRegexProblem('/a/m')).toMatch(/flag m/);
    expect(espruinoRegexProblem('/a*?/')).toMatch(/\? quantifier/);
    expect(espruinoRegexProblem('/(a)\\1/')).toMatch(/backreference/);
  });

  it('regex lint: accepts what Espruino runs (classes, escapes, * and + on atoms, alternation)', () => {
    expect(espruinoRegexProblem('/^[a-zA-Z0-9:_-]+$/')).toBeUndefined();
    expect(espruinoRegexProblem('/[?]/')).toBeUndefined();
    expect(espruinoRegexProblem('/\\?/')).toBeUndefined();
    expect(espruinoRegexProblem('/^(ab|cd)$/gi')).toBeUndefined();
    expect(espruinoRegexProblem('/\\s+/g')).toBeUndefined();
  });

  it('device code: every regex literal in src/, firmware/ and hal/esp32/ runs on Espruino', () => {
    const bad: string[] = [];
    let count = 0;
    for (const dir of DEVICE_DIRS) {
      for (const file of tsFiles(join(root, dir))) {
        for (const lit of regexLiterals(file)) {
          count++;
          const problem = lit.text === 'new RegExp' ? 'built from a string at run time: cannot be checked; use a literal' : espruinoRegexProblem(lit.text);
          if (problem) bad.push(`${lit.file}:${lit.line}: ${lit.text}: ${problem}`);
        }
      }
    }
    expect(count).toBeGreaterThan(0);
    expect(bad, bad.join('\n')).toEqual([]);
  });
});
