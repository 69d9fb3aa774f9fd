/**
 * Regular expressions in device code must be ones Espruino 2v29 actually runs. Measured on the
 * Linux build (see README "Espruino facts"): besides what specs/espruino.md lists as missing
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
        out.push({ file: relative(root, file), line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: 'RegExp(…) constructor' });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** What is wrong with a regex literal on Espruino 2v29, or undefined when nothing is. */
export function espruinoRegexProblem(literal: string): string | undefined {
  if (literal.startsWith('RegExp(')) return 'built from a string at run time: cannot be checked; use a literal';
  const end = literal.lastIndexOf('/');
  const body = literal.slice(1, end);
  const flags = literal.slice(end + 1);
  for (const f of flags) if (f !== 'g' && f !== 'i') return `flag '${f}' (only g and i work)`;
  let inClass = false;
  let prevWasGroupEnd = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') {
      const n = body[i + 1] ?? '';
      if (n === 'b' || n === 'B') return `\\${n} (word boundaries are missing)`;
      if (n === 'u') return '\\uXXXX (missing)';
      if (/[1-9]/.test(n)) return `backreference \\${n} (missing)`;
      if (n === 'k') return 'named backreference (missing)';
      i++;
      prevWasGroupEnd = false;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      prevWasGroupEnd = false;
      continue;
    }
    if (c === '(' && body[i + 1] === '?') return 'group with (? (non-capturing, lookaround and named groups are missing)';
    if (c === '{') return '{n,m} quantifier (missing)';
    if (c === '?') return '? quantifier (never matches on Espruino 2v29)';
    if ((c === '*' || c === '+') && prevWasGroupEnd) return `quantifier ${c} after a group (never matches on Espruino 2v29)`;
    if ((c === '*' || c === '+') && (body[i + 1] === '?' || body[i + 1] === '+')) return 'lazy or possessive quantifier (missing)';
    prevWasGroupEnd = c === ')';
  }
  return undefined;
}

describe('espruino regex lint', () => {
  it('regex lint: flags the constructs Espruino 2v29 cannot run', () => {
    expect(espruinoRegexProblem('/^a(b)?$/')).toMatch(/\? quantifier/);
    expect(espruinoRegexProblem('/ab?/')).toMatch(/\? quantifier/);
    expect(espruinoRegexProblem('/^a(b)+$/')).toMatch(/after a group/);
    expect(espruinoRegexProblem('/a{2}/')).toMatch(/\{n,m\}/);
    expect(espruinoRegexProblem('/\\bword/')).toMatch(/word boundaries/);
    expect(espruinoRegexProblem('/(?:a)/')).toMatch(/\(\?/);
    expect(espruinoRegexProblem('/a/m')).toMatch(/flag 'm'/);
    expect(espruinoRegexProblem('/a*?/')).toMatch(/\? quantifier|lazy/);
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
          const problem = espruinoRegexProblem(lit.text);
          if (problem) bad.push(`${lit.file}:${lit.line}: ${lit.text}: ${problem}`);
        }
      }
    }
    expect(count).toBeGreaterThan(0);
    expect(bad, bad.join('\n')).toEqual([]);
  });
});
