/**
 * The builtins Espruino 2v29 has beyond ES5 (measured, see ../shared/specs/espruino.md), declared
 * for tsconfig.device.json. Anything absent here and absent from ES5 does not exist on the device:
 * using it is a compile error in device code, and the Espruino-shaped sandbox test catches what
 * slips through (e.g. via `any`).
 *
 * Deliberately absent: Map, Set, WeakMap, Symbol, Proxy, Reflect, Array.from/of,
 * Number.isFinite/isInteger/isNaN, Math.trunc/log2/imul, Object.freeze/is, Promise.race/allSettled/any,
 * Promise.prototype.finally, String.prototype.trimStart/trimEnd/codePointAt/normalize,
 * TypedArray.from, ArrayBuffer.prototype.slice, Date.UTC, encodeURI/decodeURI.
 *
 * Caveat (measured on 2v29): TypeScript's own ES5 lib declares some builtins Espruino LACKS, and a
 * declaration file cannot take them away: `Object.freeze/seal/isFrozen/isSealed/isExtensible/
 * preventExtensions`, `Date.UTC`, `Date#setUTC*`, `Array#lastIndexOf/reduceRight`,
 * `String#localeCompare/search`, `Number#toPrecision/toExponential`, typed arrays'
 * `lastIndexOf/reduceRight/copyWithin`, `Object#isPrototypeOf/propertyIsEnumerable`, `RangeError`,
 * `EvalError`, `URIError`, `encodeURI/decodeURI`, `escape/unescape`. The bundle test's lint
 * (test/build/espruino-lint.ts) and the Espruino-shaped sandbox catch those instead.
 * Also measured: `arguments.length` is max(declared, passed); `Math.pow` beyond small integer
 * powers is exp(log(x)·y) (`Math.pow(2, 32) !== 4294967296`); numbers print with ~12 significant
 * digits (`String(0.1 + 0.2) === "0.3"`); `globalThis` exists on 2v29 but is forbidden here.
 */

interface ObjectConstructor {
  assign<T extends object, U>(target: T, source: U): T & U;
  assign<T extends object, U, V>(target: T, source1: U, source2: V): T & U & V;
  assign(target: object, ...sources: unknown[]): any;
  values<T>(o: { [s: string]: T } | ArrayLike<T>): T[];
  values(o: {}): any[];
  entries<T>(o: { [s: string]: T } | ArrayLike<T>): [string, T][];
  entries(o: {}): [string, any][];
  setPrototypeOf(o: any, proto: object | null): any;
  fromEntries<T>(entries: ReadonlyArray<readonly [string, T]>): { [k: string]: T };
}

interface String {
  padStart(maxLength: number, fillString?: string): string;
  padEnd(maxLength: number, fillString?: string): string;
  startsWith(searchString: string, position?: number): boolean;
  endsWith(searchString: string, endPosition?: number): boolean;
  includes(searchString: string, position?: number): boolean;
  repeat(count: number): string;
}

interface Array<T> {
  fill(value: T, start?: number, end?: number): this;
  find(predicate: (value: T, index: number, obj: T[]) => unknown): T | undefined;
  findIndex(predicate: (value: T, index: number, obj: T[]) => unknown): number;
  includes(searchElement: T, fromIndex?: number): boolean;
}

interface ReadonlyArray<T> {
  find(predicate: (value: T, index: number, obj: readonly T[]) => unknown): T | undefined;
  findIndex(predicate: (value: T, index: number, obj: readonly T[]) => unknown): number;
  includes(searchElement: T, fromIndex?: number): boolean;
}

interface Uint8Array {
  fill(value: number, start?: number, end?: number): this;
}

interface Math {
  sign(x: number): number;
}
