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

/** Depth of nested objects/arrays: a scalar is 0, `{}` is 1, `{"a":{}}` is 2. */
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

/** A short, safe rendering of a value for status lines and error messages (never huge). */
export function describeValue(v: unknown, max?: number): string {
  const limit = max === undefined ? 40 : max;
  let text: string;
  if (v === undefined) text = 'nothing';
  else if (typeof v === 'string') text = JSON.stringify(v);
  else {
    try {
      text = JSON.stringify(v);
    } catch (_e) {
      text = String(v);
    }
    if (text === undefined) text = String(v);
  }
  return text.length > limit ? `${text.substring(0, limit - 3)}...` : text;
}
