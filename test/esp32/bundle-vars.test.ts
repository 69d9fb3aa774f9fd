/**
 * The ESP32 bundle must not use a `var` before its declaration has run: Espruino has no var
 * hoisting, so such a read throws and such a write lands in an outer variable of the same
 * (minified) name. terser produces the pattern when it inlines a function that has locals: the
 * locals become `var`s appended after the caller's `return`. Measured on Espruino 2v29: an
 * inlined helper turned `uptime()` into NaN, and an inlined `runWake(args)` overwrote a
 * top-level function ("Expecting function, got Object"). rollup.config.mjs needs terser
 * `compress.inline: 1` (inline only functions without arguments or locals).
 */
import { parseAst } from 'rollup/parseAst';
import { beforeAll, describe, expect, it } from 'vitest';
import { esp32Bundle } from './bundles.js';

type Node = { type: string; start: number; end: number; [k: string]: unknown };

const isFunction = (n: Node): boolean => n.type === 'FunctionExpression' || n.type === 'FunctionDeclaration' || n.type === 'ArrowFunctionExpression';

/** Names read or written by `node` now (not inside nested functions, which run later). */
function namesUsed(node: unknown, out: Set<string>): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const n of node) namesUsed(n, out);
    return;
  }
  const n = node as Node;
  if (isFunction(n)) return;
  if (n.type === 'Identifier') out.add(n.name as string);
  if (n.type === 'MemberExpression' && !n.computed) return namesUsed(n.object, out);
  if (n.type === 'Property' && !n.computed) return namesUsed(n.value, out);
  if (n.type === 'CatchClause') {
    // The catch parameter is its own binding: uses of it are not uses of a later `var`.
    const inner = new Set<string>();
    namesUsed(n.body, inner);
    const param = n.param as Node | null;
    if (param && param.type === 'Identifier') inner.delete(param.name as string);
    for (const x of inner) out.add(x);
    return;
  }
  for (const k of Object.keys(n)) if (k !== 'type' && k !== 'start' && k !== 'end') namesUsed(n[k], out);
}

function varDeclarations(node: unknown, out: Node[]): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const n of node) varDeclarations(n, out);
    return;
  }
  const n = node as Node;
  if (isFunction(n)) return;
  if (n.type === 'VariableDeclaration' && n.kind === 'var') out.push(n);
  for (const k of Object.keys(n)) if (k !== 'type' && k !== 'start' && k !== 'end') varDeclarations(n[k], out);
}

/** `var`s whose name the same function used in an earlier statement (parameters excepted). */
export function varsUsedBeforeDeclaration(code: string): { name: string; context: string }[] {
  const problems: { name: string; context: string }[] = [];
  const visit = (fn: Node): void => {
    const body = (fn.body as Node).type === 'BlockStatement' ? ((fn.body as Node).body as Node[]) : [];
    const params = new Set((fn.params as Node[]).filter((p) => p.type === 'Identifier').map((p) => p.name as string));
    const seen = new Set<string>();
    for (const stmt of body) {
      const decls: Node[] = [];
      varDeclarations(stmt, decls);
      for (const d of decls) {
        for (const dec of d.declarations as Node[]) {
          const id = dec.id as Node;
          if (id.type === 'Identifier' && seen.has(id.name as string) && !params.has(id.name as string)) {
            problems.push({ name: id.name as string, context: code.slice(Math.max(0, d.start - 100), d.end) });
          }
        }
      }
      namesUsed(stmt, seen);
    }
  };
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    const n = node as Node;
    if (n.type === 'FunctionExpression' || n.type === 'FunctionDeclaration') visit(n);
    for (const k of Object.keys(n)) if (k !== 'type') walk(n[k]);
  };
  walk(parseAst(code));
  return problems;
}

describe('esp32 bundle: Espruino has no var hoisting', () => {
  let code: string;
  beforeAll(async () => {
    code = await esp32Bundle();
  }, 120_000);

  it('the checker finds a var used before its declaration, and not a catch parameter', () => {
    expect(varsUsedBeforeDeclaration('function f(){return o||(o=1,r=2),r;var r}').map((p) => p.name)).toEqual(['r']);
    expect(varsUsedBeforeDeclaration('function f(){try{}catch(t){g(t)}try{}catch(e){var t=h(e);g(t)}}')).toEqual([]);
    expect(varsUsedBeforeDeclaration('function f(a){var b=a;return b}')).toEqual([]);
  });

  it('no var of the bundle is used before its declaration has run', () => {
    expect(varsUsedBeforeDeclaration(code)).toEqual([]);
  });
});
