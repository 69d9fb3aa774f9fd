/**
 * The engine-neutral shadow document code (src/shadow-*.ts) the cloud runs: merge with null
 * deletes, delta, metadata, request validation, version and size checks. Example tests from the
 * spec plus fast-check properties.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPlainObject, nestingDepth } from '../../src/json.js';
import type { JsonObject, JsonValue } from '../../src/json.js';
import { SHADOW_LIMIT_DEFAULTS, applyUpdate, computeDelta, deltaMessage, jsonTextDepth, mergeSection, metadataOf, parseUpdateRequest, shadowDocument } from '../../src/shadow-doc.js';
import type { StoredShadow } from '../../src/shadow-doc.js';

const byteLength = (s: string): number => Buffer.byteLength(s);
const limits = { maxNesting: 6, maxClientTokenBytes: 64, byteLength };

/** JSON objects as a shadow section holds them: no nulls anywhere (arrays never hold null). */
const leaf = fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 5 }), fc.double({ noNaN: true, noDefaultInfinity: true }));
const { section } = fc.letrec<{ value: JsonValue; section: JsonObject; array: JsonValue[] }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('section')),
  array: fc.array(tie('value'), { maxLength: 3 }),
  section: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e'), tie('value'), { maxKeys: 4 }),
}));
/** A patch: like a section, but values may be null (delete). */
const { patch } = fc.letrec<{ pvalue: JsonValue; patch: JsonObject }>((tie) => ({
  pvalue: fc.oneof({ depthSize: 'small' }, leaf, fc.constant(null), fc.array(leaf, { maxLength: 3 }), tie('patch')),
  patch: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e'), tie('pvalue'), { maxKeys: 4 }),
}));

/** Same shape check: metadata mirrors state, `{timestamp}` at leaves, arrays element-wise. */
function mirrors(state: JsonValue, meta: JsonValue): boolean {
  if (isPlainObject(state)) {
    if (!isPlainObject(meta)) return false;
    const ks = Object.keys(state).sort();
    return JSON.stringify(ks) === JSON.stringify(Object.keys(meta).sort()) && ks.every((k) => mirrors(state[k] as JsonValue, meta[k] as JsonValue));
  }
  if (Array.isArray(state)) return Array.isArray(meta) && meta.length === state.length && state.every((v, i) => mirrors(v, meta[i] as JsonValue));
  return isPlainObject(meta) && typeof meta.timestamp === 'number' && Object.keys(meta).length === 1;
}

describe('merge', () => {
  it('shadow-doc: merge with null deletes, recursion and replacement, metadata per touched leaf', () => {
    const r = mergeSection({ a: 1, b: { c: 1, d: 2 }, l: [1, 2] }, { a: { timestamp: 1 }, b: { c: { timestamp: 1 }, d: { timestamp: 1 } }, l: [{ timestamp: 1 }, { timestamp: 1 }] }, { a: null, b: { c: 3 }, l: [9] }, 5);
    expect(r.state).toEqual({ b: { c: 3, d: 2 }, l: [9] });
    expect(r.metadata).toEqual({ b: { c: { timestamp: 5 }, d: { timestamp: 1 } }, l: [{ timestamp: 5 }] });
  });

  it('shadow-doc: a key named __proto__ is stored as data, not as a prototype', () => {
    const p = JSON.parse('{"__proto__":{"polluted":true}}') as JsonObject;
    const r = mergeSection(undefined, undefined, p, 1);
    expect(Object.keys(r.state)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(r.state)).toBe('{"__proto__":{"polluted":true}}');
  });

  it('shadow-doc: property: merging is idempotent, keeps untouched keys, deletes nulled ones, and metadata mirrors state', () => {
    fc.assert(
      fc.property(section, patch, (s, p) => {
        const once = mergeSection(s, metadataOf(s, 1) as JsonObject, p, 7);
        const twice = mergeSection(once.state, once.metadata, p, 8);
        expect(twice.state).toEqual(once.state);
        for (const k of Object.keys(s)) if (!(k in p)) expect(once.state[k]).toEqual(s[k]);
        for (const k of Object.keys(p)) if (p[k] === null) expect(k in once.state).toBe(false);
        expect(mirrors(once.state, once.metadata)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('delta', () => {
  it('shadow-doc: property: no delta between equal sections; applying the delta to reported leaves none', () => {
    fc.assert(
      fc.property(section, section, (d, r) => {
        expect(computeDelta(d, d)).toBeUndefined();
        const delta = computeDelta(d, r);
        if (delta !== undefined) {
          for (const k of Object.keys(delta)) expect(k in d).toBe(true);
          const fixed = mergeSection(r, undefined, delta, 1).state;
          expect(computeDelta(d, fixed)).toBeUndefined();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('shadow-doc: the whole desired is the delta against no reported (when non-empty)', () => {
    fc.assert(
      fc.property(section, (d) => {
        expect(computeDelta(d, undefined)).toEqual(Object.keys(d).length > 0 ? d : undefined);
      }),
    );
  });

  it('shadow-doc: the /update/delta message carries the delta and the desired metadata of its keys', () => {
    const shadow: StoredShadow = {
      state: { desired: { a: 1, b: { c: 2, d: 3 } }, reported: { a: 1, b: { c: 0, d: 3 } } },
      metadata: { desired: { a: { timestamp: 10 }, b: { c: { timestamp: 11 }, d: { timestamp: 12 } } } },
      version: 4,
    };
    expect(deltaMessage(shadow, 99)).toEqual({ version: 4, timestamp: 99, state: { b: { c: 2 } }, metadata: { b: { c: { timestamp: 11 } } } });
  });
});

describe('requests and limits', () => {
  it('shadow-doc: property: the text depth scan agrees with the parsed nesting depth', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (v) => {
        expect(jsonTextDepth(JSON.stringify(v))).toBe(nestingDepth(v));
      }),
      { numRuns: 300 },
    );
  });

  it('shadow-doc: property: junk text never throws out of validation', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const r = parseUpdateRequest(text, limits);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('shadow-doc: applyUpdate checks the version and the state size, and never mutates the current shadow', () => {
    const req = parseUpdateRequest('{"state":{"reported":{"a":1}}}', limits);
    if (!req.ok) throw new Error('valid request refused');
    const first = applyUpdate(undefined, 0, req.request, 100, SHADOW_LIMIT_DEFAULTS, byteLength);
    if (!first.ok) throw new Error('first update refused');
    const frozen = JSON.stringify(first.next);
    const conflict = parseUpdateRequest('{"state":{"reported":{"a":2}},"version":5}', limits);
    if (!conflict.ok) throw new Error('valid request refused');
    expect(applyUpdate(first.next, 1, conflict.request, 101, SHADOW_LIMIT_DEFAULTS, byteLength)).toEqual({ ok: false, status: 409, message: 'Version conflict' });
    const big = parseUpdateRequest(JSON.stringify({ state: { desired: { x: 'y'.repeat(9000) } } }), limits);
    if (!big.ok) throw new Error('valid request refused');
    expect(applyUpdate(first.next, 1, big.request, 101, SHADOW_LIMIT_DEFAULTS, byteLength)).toMatchObject({ ok: false, status: 413 });
    expect(JSON.stringify(first.next)).toBe(frozen);
    expect(shadowDocument(first.next, 200)).toEqual({ state: { reported: { a: 1 } }, metadata: { reported: { a: { timestamp: 100 } } }, version: 1, timestamp: 200 });
  });
});
