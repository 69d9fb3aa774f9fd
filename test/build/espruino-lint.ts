/**
 * Static checks of a bundle for what Espruino 2v29 mishandles and the sandbox cannot imitate
 * (measured on the Linux build; see shared/specs/espruino.md):
 * - regular-expression literals beyond `. [] [^] \d \s \w * + ? ^ $ ( ) (?: ) |` and flags `g i`
 *   (`{n}`, lazy quantifiers, lookaround, `\b`, `\uXXXX`, backreferences, named groups, flags
 *   `m s u y` silently fail to match or throw on Espruino);
 * - labelled statements (labelled break/continue are missing);
 * - array holes (`[1, , 3]`: a SyntaxError when Espruino skips them in an untaken switch case);
 * - `return` inside `finally` (does not swallow a thrown error on Espruino);
 * - builtins Espruino lacks that TypeScript's ES5 lib declares (`Object.freeze`, `Date.UTC`,
 *   `.setUTCHours`, `.localeCompare`, `RangeError`, `encodeURI`, …) and V8 constants the sandbox
 *   cannot delete (`Number.EPSILON`, `Number.MAX_SAFE_INTEGER`, …).
 */
import ts from 'typescript';

/** One finding: what, and where in the bundle (1-based line:column). */
export interface LintFinding {
  readonly rule: string;
  readonly text: string;
  readonly at: string;
}

/**
 * Members no Espruino builtin has, with names no dormouse object plausibly uses: reaching for one
 * is reaching for a builtin the board lacks. Most are declared by TypeScript's ES5 lib, so the
 * device type check lets them through; the sandbox catches them only on the paths a test runs.
 * (Includes the V8 constants a V8 realm cannot delete, so the sandbox cannot hide them at all.)
 */
const MISSING_MEMBERS = [
  'EPSILON', 'MAX_SAFE_INTEGER', 'MIN_SAFE_INTEGER', 'reduceRight', 'localeCompare', 'toPrecision', 'toExponential',
  'isPrototypeOf', 'propertyIsEnumerable', 'setUTCFullYear', 'setUTCMonth', 'setUTCDate', 'setUTCHours', 'setUTCMinutes',
  'setUTCSeconds', 'setUTCMilliseconds', 'toLocaleDateString', 'toLocaleTimeString', 'trimStart', 'trimEnd', 'trimLeft',
  'trimRight', 'codePointAt', 'fromCodePoint', 'flatMap', 'copyWithin', 'findLast', 'findLastIndex', 'toSorted',
  'toReversed', 'toSpliced', 'allSettled', 'isFrozen', 'isSealed', 'isExtensible', 'preventExtensions',
  'isSafeInteger', 'getOwnPropertySymbols',
];

/** `Global.member` pairs Espruino lacks (the global names stay unmangled in a bundle). */
const MISSING_STATICS: Readonly<Record<string, readonly string[]>> = {
  Object: ['freeze', 'seal', 'is', 'hasOwn', 'groupBy'],
  Array: ['from', 'of'],
  Number: ['isFinite', 'isNaN', 'isInteger', 'parseFloat', 'parseInt'],
  Math: ['trunc', 'log2', 'log10', 'imul', 'hypot', 'cbrt', 'clz32', 'fround', 'expm1', 'log1p', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh'],
  Promise: ['race', 'any', 'withResolvers'],
  Date: ['UTC'],
  String: ['raw'],
  ArrayBuffer: ['isView'],
  Error: ['captureStackTrace'],
};

/** Globals of TypeScript's ES5 lib that Espruino does not have. */
const MISSING_GLOBALS = ['RangeError', 'EvalError', 'URIError', 'encodeURI', 'decodeURI', 'escape', 'unescape'];

/**
 * What is wrong with a regular-expression literal for Espruino 2v29, or undefined when nothing is.
 * Beyond what specs/espruino.md lists, measured on the Linux build: the `?` quantifier never
 * matches (`/ab?/.test("ab")` is false), a quantifier after a group never matches
 * (`/^a(b)+$/.test("abb")` is false), and `(?:…)` fails like the other `(?` groups.
 */
export function espruinoRegexProblem(literal: string): string | undefined {
  const end = literal.lastIndexOf('/');
  const body = literal.slice(1, end);
  const flags = literal.slice(end + 1);
  const badFlag = flags.split('').find((f) => f !== 'g' && f !== 'i');
  if (badFlag !== undefined) return `flag ${badFlag} (only g and i work)`;
  let inClass = false;
  let prevWasGroupEnd = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '\\') {
      const e = body[i + 1] ?? '';
      if (e === 'b' || e === 'B') return '\\b word boundary (missing)';
      if (e === 'u') return '\\u escape (missing)';
      if (/[1-9]/.test(e)) return 'backreference (missing)';
      if (e === 'k') return 'named backreference (missing)';
      if (e === 'p' || e === 'P') return 'unicode property escape (missing)';
      if (e === 'c') return 'control escape (missing)';
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
    if (c === '(' && body[i + 1] === '?') return 'a (? group: non-capturing, lookaround or named (fails on Espruino 2v29)';
    if (c === '{') return '{n,m} quantifier (never matches on Espruino 2v29)';
    if (c === '?') return '? quantifier (never matches on Espruino 2v29)';
    if ((c === '*' || c === '+') && prevWasGroupEnd) return `${c} after a group (never matches on Espruino 2v29)`;
    prevWasGroupEnd = c === ')';
  }
  return undefined;
}

/** All findings in `code` (an ES5 script). */
export function lintForEspruino(code: string, fileName = 'bundle.js'): LintFinding[] {
  const sf = ts.createSourceFile(fileName, code, ts.ScriptTarget.ES5, true, ts.ScriptKind.JS);
  const out: LintFinding[] = [];
  const add = (rule: string, node: ts.Node, text = node.getText(sf)): void => {
    const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    out.push({ rule, text: text.length > 80 ? `${text.slice(0, 77)}...` : text, at: `${fileName}:${line + 1}:${character + 1}` });
  };
  const visit = (node: ts.Node, inFinally: boolean): void => {
    if (ts.isRegularExpressionLiteral(node)) {
      const problem = espruinoRegexProblem(node.text);
      if (problem !== undefined) add(`regex: ${problem}`, node);
    } else if (ts.isLabeledStatement(node)) {
      add('labelled statement', node, `${node.label.text}:`);
    } else if (ts.isArrayLiteralExpression(node) && node.elements.some((e) => ts.isOmittedExpression(e))) {
      add('array hole', node);
    } else if (ts.isReturnStatement(node) && inFinally) {
      add('return inside finally', node);
    } else if (ts.isPropertyAccessExpression(node) && MISSING_MEMBERS.includes(node.name.text)) {
      add(`missing on Espruino: .${node.name.text}`, node);
    } else if (
      ts.isPropertyAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      (MISSING_STATICS[node.expression.text] ?? []).includes(node.name.text)
    ) {
      add(`missing on Espruino: ${node.expression.text}.${node.name.text}`, node);
    } else if (ts.isIdentifier(node) && MISSING_GLOBALS.includes(node.text) && !ts.isPropertyAccessExpression(node.parent)) {
      add(`missing on Espruino: ${node.text}`, node);
    }
    if (ts.isTryStatement(node)) {
      visit(node.tryBlock, inFinally);
      if (node.catchClause) visit(node.catchClause, inFinally);
      if (node.finallyBlock) visit(node.finallyBlock, true);
      return;
    }
    const nested = ts.isFunctionLike(node) ? false : inFinally;
    ts.forEachChild(node, (child) => visit(child, nested));
  };
  visit(sf, false);
  return out;
}
