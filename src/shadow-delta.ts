/**
 * The delta of a shadow: what desired asks for that reported does not show yet. Engine-neutral
 * and Espruino-safe.
 */
import { deepEqual, isPlainObject, ownKeys } from './json.js';
import type { JsonObject, JsonValue } from './json.js';
import { hasOwn, setOwn } from './shadow-merge.js';

/**
 * Desired minus reported, AWS's way: a desired key absent from reported is copied whole; two
 * plain objects recurse and keep only a non-empty sub-delta; otherwise a value that is not
 * deep-equal (arrays compared whole) is the desired value. Keys only in reported never appear.
 * Returns `undefined` when nothing differs (AWS then sends no `delta` at all).
 */
export function computeDelta(desired: JsonObject | undefined, reported: JsonObject | undefined): JsonObject | undefined {
  if (desired === undefined) return undefined;
  const out: JsonObject = {};
  let any = false;
  const keys = ownKeys(desired);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const d = desired[k] as JsonValue;
    if (reported === undefined || !hasOwn(reported, k)) {
      setOwn(out, k, d);
      any = true;
      continue;
    }
    const r = reported[k] as JsonValue;
    if (isPlainObject(d) && isPlainObject(r)) {
      const sub = computeDelta(d, r);
      if (sub !== undefined) {
        setOwn(out, k, sub);
        any = true;
      }
    } else if (!deepEqual(d, r)) {
      setOwn(out, k, d);
      any = true;
    }
  }
  return any ? out : undefined;
}

/**
 * The desired metadata of the keys in a delta, shaped like the delta (the `metadata` of an
 * `/update/delta` message).
 */
export function deltaMetadata(delta: JsonObject, desiredMetadata: JsonObject | undefined): JsonObject {
  const out: JsonObject = {};
  if (desiredMetadata === undefined) return out;
  const keys = ownKeys(delta);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (!hasOwn(desiredMetadata, k)) continue;
    const dv = delta[k] as JsonValue;
    const mv = desiredMetadata[k] as JsonValue;
    setOwn(out, k, isPlainObject(dv) && isPlainObject(mv) ? deltaMetadata(dv, mv) : mv);
  }
  return out;
}
