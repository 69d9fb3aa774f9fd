/**
 * Merging an update into a shadow section, and the per-leaf metadata that goes with it, as the
 * AWS IoT Device Shadow service does it. Engine-neutral and Espruino-safe (ES5 builtins only);
 * nothing is mutated: every function returns new objects and may share unchanged subtrees.
 */
import { isPlainObject, ownKeys } from './json.js';
import type { JsonObject, JsonValue } from './json.js';

/** True when `o` has `key` as an own property (safe for keys such as `constructor`). */
export function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/**
 * Set an own enumerable property, even one named `__proto__` (plain assignment would change the
 * prototype instead): documents come from untrusted JSON.
 */
export function setOwn(o: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(o, key, { value: value, enumerable: true, writable: true, configurable: true });
  } else {
    o[key] = value;
  }
}

/**
 * The metadata mirror of a value: `{"timestamp": ts}` at every leaf, objects mirrored key by key,
 * arrays element by element (what AWS answers for `[1,2]`: `[{"timestamp":…},{"timestamp":…}]`).
 * A `null` (a deletion in an update request) is a leaf too.
 */
export function metadataOf(value: JsonValue, timestamp: number): JsonValue {
  if (isPlainObject(value)) {
    const out: JsonObject = {};
    const keys = ownKeys(value);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      setOwn(out, k, metadataOf(value[k] as JsonValue, timestamp));
    }
    return out;
  }
  if (value instanceof Array) {
    const list: JsonValue[] = [];
    for (let i = 0; i < value.length; i++) list.push(metadataOf(value[i] as JsonValue, timestamp));
    return list;
  }
  return { timestamp: timestamp };
}

/** A section after an update, with its metadata. */
export interface MergedSection {
  readonly state: JsonObject;
  readonly metadata: JsonObject;
}

/**
 * Merge `patch` into one section (desired or reported): `null` deletes the key, an object merged
 * into an object recurses, anything else (scalars, arrays) replaces. Metadata follows the same
 * walk: touched leaves get `timestamp`, untouched ones keep theirs.
 */
export function mergeSection(
  state: JsonObject | undefined,
  metadata: JsonObject | undefined,
  patch: JsonObject,
  timestamp: number,
): MergedSection {
  const outState: JsonObject = {};
  const outMeta: JsonObject = {};
  if (state !== undefined) {
    const keys = ownKeys(state);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      setOwn(outState, k, state[k] as JsonValue);
      if (metadata !== undefined && hasOwn(metadata, k)) setOwn(outMeta, k, metadata[k] as JsonValue);
    }
  }
  const patchKeys = ownKeys(patch);
  for (let i = 0; i < patchKeys.length; i++) {
    const k = patchKeys[i] as string;
    const p = patch[k] as JsonValue;
    if (p === null) {
      delete outState[k];
      delete outMeta[k];
      continue;
    }
    if (isPlainObject(p)) {
      const cur = hasOwn(outState, k) ? outState[k] : undefined;
      const curMeta = hasOwn(outMeta, k) ? outMeta[k] : undefined;
      const inner = isPlainObject(cur)
        ? mergeSection(cur, isPlainObject(curMeta) ? curMeta : undefined, p, timestamp)
        : mergeSection(undefined, undefined, p, timestamp);
      setOwn(outState, k, inner.state);
      setOwn(outMeta, k, inner.metadata);
    } else {
      setOwn(outState, k, p);
      setOwn(outMeta, k, metadataOf(p, timestamp));
    }
  }
  return { state: outState, metadata: outMeta };
}
