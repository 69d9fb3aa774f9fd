/**
 * The layout's import rules (DESIGN.md "Layout"), enforced on the sources:
 * - engine-neutral code (`src/`, `firmware/app.ts`, `firmware/things/`) imports no package and no
 *   Node module, nothing outside `src/` (firmware may also import its things) except TYPES from
 *   `hal/hal.ts`, and touches no engine global (`require`, `process`, `Buffer`, timers, `console`,
 *   `Date.now()`, `new Date()`, Espruino's `E`/`ESP32`/`Wifi`/`print`, `globalThis`/`global`);
 * - `hal/esp32/` imports only `hal/hal.ts` and itself (Espruino modules come through `require`);
 * - `hal/sim/` imports only `hal/hal.ts`, itself and Node's builtin modules;
 * - `firmware/esp32.ts` imports no package or Node module.
 * Each violation names the file and line.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Engine globals engine-neutral code must not touch. */
const ENGINE_GLOBALS = [
  'require', 'process', 'Buffer', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'setImmediate',
  'queueMicrotask', 'console', 'E', 'ESP32', 'Wifi', 'print', 'globalThis', 'global', 'window', 'module', 'exports',
  '__dirname', '__filename',
];

/** One import (or re-export, or dynamic import) of a file. */
interface ImportRef {
  readonly specifier: string;
  readonly typeOnly: boolean;
  readonly line: number;
}

/** TypeScript files under `dir` (relative to the root), recursively; [] when it does not exist. */
function tsFiles(dir: string): string[] {
  const abs = join(ROOT, dir);
  let entries: string[];
  try {
    entries = readdirSync(abs);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const p = join(abs, e);
    if (statSync(p).isDirectory()) out.push(...tsFiles(relative(ROOT, p)));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(relative(ROOT, p));
  }
  return out.sort();
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
}

function lineOf(sf: ts.SourceFile, node: ts.Node): number {
  return sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
}

/** Every import, re-export and dynamic import of a file. */
function importsOf(sf: ts.SourceFile): ImportRef[] {
  const out: ImportRef[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly || (clause.name === undefined && named !== undefined && named.length > 0 && named.every((e) => e.isTypeOnly)));
      out.push({ specifier: node.moduleSpecifier.text, typeOnly, line: lineOf(sf, node) });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      const typeOnly = node.isTypeOnly || (named !== undefined && named.length > 0 && named.every((e) => e.isTypeOnly));
      out.push({ specifier: node.moduleSpecifier.text, typeOnly, line: lineOf(sf, node) });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      out.push({ specifier: arg && ts.isStringLiteral(arg) ? arg.text : '<computed>', typeOnly: false, line: lineOf(sf, node) });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push({ specifier: node.argument.literal.text, typeOnly: true, line: lineOf(sf, node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The project-relative path an import resolves to (`.js` written for a `.ts` file), or undefined for a package. */
function target(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const abs = resolve(ROOT, dirname(file), specifier).replace(/\.js$/, '.ts');
  return relative(ROOT, abs).split('\\').join('/');
}

const isNodeBuiltin = (s: string): boolean => s.startsWith('node:') || builtinModules.includes(s.split('/')[0] as string);
const under = (path: string, dir: string): boolean => path.startsWith(`${dir}/`);

/** Violations of the engine-global rule in one file. */
function globalUses(file: string, sf: ts.SourceFile): string[] {
  const out: string[] = [];
  const isNameOnly = (id: ts.Identifier): boolean => {
    const p = id.parent;
    return (
      (ts.isPropertyAccessExpression(p) && p.name === id) ||
      (ts.isQualifiedName(p) && p.right === id) ||
      ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isPropertySignature(p) || ts.isMethodDeclaration(p) ||
        ts.isMethodSignature(p) || ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p) || ts.isEnumMember(p)) &&
        p.name === id) ||
      ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isImportClause(p) || ts.isNamespaceImport(p) ||
      (ts.isParameter(p) && p.name === id) ||
      (ts.isVariableDeclaration(p) && p.name === id) ||
      (ts.isBindingElement(p) && (p.name === id || p.propertyName === id))
    );
  };
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && ENGINE_GLOBALS.includes(node.text) && !isNameOnly(node)) {
      out.push(`${file}:${lineOf(sf, node)}: uses the engine global \`${node.text}\` (go through the HAL)`);
    } else if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Date' && node.name.text === 'now') {
      out.push(`${file}:${lineOf(sf, node)}: uses \`Date.now()\` (use hal.clock.now())`);
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Date' && (node.arguments?.length ?? 0) === 0) {
      out.push(`${file}:${lineOf(sf, node)}: uses \`new Date()\` (the engine's clock; use hal.clock.now())`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Violations of an import rule in files: `allowed(to, ref)` says whether a resolved relative import is fine. */
function importViolations(files: readonly string[], allowed: (to: string, ref: ImportRef) => string | undefined, allowNode: boolean): string[] {
  const out: string[] = [];
  for (const file of files) {
    const sf = parse(file);
    for (const ref of importsOf(sf)) {
      const to = target(file, ref.specifier);
      if (to === undefined) {
        if (allowNode && isNodeBuiltin(ref.specifier)) continue;
        out.push(`${file}:${ref.line}: imports the package '${ref.specifier}'${isNodeBuiltin(ref.specifier) ? ' (a Node module)' : ''}`);
        continue;
      }
      const why = allowed(to, ref);
      if (why !== undefined) out.push(`${file}:${ref.line}: imports ${to}: ${why}`);
    }
  }
  return out;
}

const NEUTRAL_SRC = tsFiles('src');
const NEUTRAL_FIRMWARE = ['firmware/app.ts', ...tsFiles('firmware/things')].filter((f) => {
  try {
    return statSync(join(ROOT, f)).isFile();
  } catch {
    return false;
  }
});

const halTypesOnly = (to: string, ref: ImportRef): string | undefined =>
  to === 'hal/hal.ts' && !ref.typeOnly ? 'only types may come from hal/hal.ts (write `import type`)' : undefined;

describe('import rules', () => {
  it('the rule checker finds violations (self-test on a known-bad snippet)', () => {
    const sf = ts.createSourceFile('bad.ts', "import fs from 'node:fs';\nconst t = Date.now();\nsetTimeout(() => console.log(process.env), 1);\n", ts.ScriptTarget.Latest, true);
    expect(importsOf(sf).map((r) => r.specifier)).toEqual(['node:fs']);
    expect(globalUses('bad.ts', sf)).toEqual([
      'bad.ts:2: uses `Date.now()` (use hal.clock.now())',
      'bad.ts:3: uses the engine global `setTimeout` (go through the HAL)',
      'bad.ts:3: uses the engine global `console` (go through the HAL)',
      'bad.ts:3: uses the engine global `process` (go through the HAL)',
    ]);
  });

  it('src/ imports only src/ (and types from hal/hal.ts), no package or Node module', () => {
    expect(NEUTRAL_SRC.length).toBeGreaterThan(0);
    const v = importViolations(NEUTRAL_SRC, (to, ref) => (under(to, 'src') ? undefined : to === 'hal/hal.ts' ? halTypesOnly(to, ref) : 'outside src/'), false);
    expect(v).toEqual([]);
  });

  it('firmware/app.ts and firmware/things/ import only src/, firmware/things/ and types from hal/hal.ts', () => {
    const v = importViolations(
      NEUTRAL_FIRMWARE,
      (to, ref) => (under(to, 'src') || under(to, 'firmware/things') ? undefined : to === 'hal/hal.ts' ? halTypesOnly(to, ref) : 'outside src/ and firmware/things/'),
      false,
    );
    expect(v).toEqual([]);
  });

  it('engine-neutral code touches no engine global', () => {
    const v = [...NEUTRAL_SRC, ...NEUTRAL_FIRMWARE].flatMap((f) => globalUses(f, parse(f)));
    expect(v).toEqual([]);
  });

  it('hal/esp32/ imports only hal/hal.ts and itself', () => {
    const v = importViolations(tsFiles('hal/esp32'), (to) => (to === 'hal/hal.ts' || under(to, 'hal/esp32') ? undefined : 'hal/esp32 may import hal/hal.ts only'), false);
    expect(v).toEqual([]);
  });

  it('hal/sim/ imports only hal/hal.ts, itself and Node builtins', () => {
    const v = importViolations(tsFiles('hal/sim'), (to) => (to === 'hal/hal.ts' || under(to, 'hal/sim') ? undefined : 'hal/sim may import hal/hal.ts and Node only'), true);
    expect(v).toEqual([]);
  });

  it('firmware/esp32.ts imports no package or Node module', () => {
    const files = tsFiles('firmware').filter((f) => f === 'firmware/esp32.ts');
    expect(importViolations(files, () => undefined, false)).toEqual([]);
  });
});
