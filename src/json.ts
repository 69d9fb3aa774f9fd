/**
 * JSON value helpers shared by the device core (diffing desired against current) and the local
 * cloud (merge, delta). Engine-neutral and Espruino-safe: ES5 builtins only.
 */

/** A JSON value as `JSON.parse` produces it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
/** A JSON object. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** True for `{…}` objects (not arrays, not null). */
export function isPlainObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !(v instanceof Array);
}

/** Own enumerable keys, skipping nothing: callers decide what a key means. */
export function ownKeys(o: object): string[] {
  const out: string[] = [];
  for (const k in o) {
    if (Object.prototype.hasOwnProperty.call(o, k)) out.push(k);
  }
  return out;
}

/** Structural equality of two JSON values (arrays compared element by element, objects by key set). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const aArr = a instanceof Array;
  const bArr = b instanceof Array;
  if (aArr !== bArr) return false;
  if (aArr) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!deepEqual(x[i], y[i])) return false;
    return true;
  }
  const ka = ownKeys(a);
  const kb = ownKeys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i] as string;
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** Depth of nested objects/arrays: a scalar is 0, `{}` is 1, `{"a":{}}` is 2. Recurses as deep as `v` is nested: check {@link exceedsDepth} first on untrusted input. */
export function nestingDepth(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  let max = 0;
  const values = v instanceof Array ? (v as unknown[]) : ownKeys(v).map((k) => (v as Record<string, unknown>)[k]);
  for (let i = 0; i < values.length; i++) {
    const d = nestingDepth(values[i]);
    if (d > max) max = d;
  }
  return max + 1;
}

/**
 * True when `v` nests objects/arrays deeper than `max` levels. Never recurses deeper than
 * `max + 1`, so it is safe on hostile input that would overflow the stack of a full walk
 * (`deepEqual`, `JSON.stringify`, `nestingDepth`).
 */
export function exceedsDepth(v: unknown, max: number): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (max <= 0) return true;
  if (v instanceof Array) {
    for (let i = 0; i < v.length; i++) if (exceedsDepth(v[i], max - 1)) return true;
    return false;
  }
  for (const k in v) {
    if (Object.prototype.hasOwnProperty.call(v, k) && exceedsDepth((v as Record<string, unknown>)[k], max - 1)) return true;
  }
  return false;
}

/**
 * A short, safe rendering of a value for status lines and error messages: at most `max`
 * characters (default 40), written by a walk that stops as soon as that many are out, so a
 * huge or deeply nested value costs little and cannot overflow the stack.
 */
export function describeValue(v: unknown, max?: number): string {
  const limit = max === undefined ? 40 : max;
  if (v === undefined) return 'nothing';
  let out = '';
  const full = (): boolean => out.length > limit;
  const put = (text: string): void => {
    if (!full()) out += text;
  };
  const walk = (x: unknown): void => {
    if (full()) return;
    if (x === null || x === undefined) put('null');
    else if (typeof x === 'string') put(JSON.stringify(x.length > limit ? x.substring(0, limit + 1) : x));
    else if (typeof x === 'number' || typeof x === 'boolean') put(String(x));
    else if (x instanceof Array) {
      put('[');
      for (let i = 0; i < x.length && !full(); i++) {
        if (i > 0) put(',');
        walk(x[i]);
      }
      put(']');
    } else if (typeof x === 'object') {
      put('{');
      let first = true;
      for (const k in x) {
        if (full()) break;
        if (!Object.prototype.hasOwnProperty.call(x, k)) continue;
        if (!first) put(',');
        first = false;
        put(`${JSON.stringify(k)}:`);
        walk((x as Record<string, unknown>)[k]);
      }
      put('}');
    } else put(typeof x);
  };
  walk(v);
  return out.length > limit ? `${out.substring(0, limit - 3)}...` : out;
}
