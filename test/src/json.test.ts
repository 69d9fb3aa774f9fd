import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deepEqual, describeValue, exceedsDepth, nestingDepth } from '../../src/json.js';

function deepArray(depth: number): unknown {
  return JSON.parse(`${'['.repeat(depth)}1${']'.repeat(depth)}`);
}

describe('json helpers', () => {
  it('json: exceedsDepth agrees with nestingDepth on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 10 }), (v, max) => {
        expect(exceedsDepth(v, max)).toBe(nestingDepth(v) > max);
      }),
      { numRuns: 300 },
    );
  });

  it('json: exceedsDepth answers for a value nested 100,000 deep without overflowing the stack', () => {
    const v = deepArray(100_000);
    expect(exceedsDepth(v, 16)).toBe(true);
    expect(exceedsDepth(deepArray(16), 16)).toBe(false);
    expect(() => nestingDepth(v)).toThrow(RangeError);
  });

  it('json: describeValue is short for huge and deeply nested values and never throws', () => {
    expect(describeValue(deepArray(100_000))).toBe(`${'['.repeat(37)}...`);
    expect(describeValue('x'.repeat(1_000_000))).toBe(`"${'x'.repeat(36)}...`);
    expect(describeValue({ a: 1, b: [true, null] })).toBe('{"a":1,"b":[true,null]}');
    expect(describeValue(undefined)).toBe('nothing');
    expect(describeValue('us-east-1x')).toBe('"us-east-1x"');
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const d = describeValue(v);
        expect(d.length).toBeLessThanOrEqual(40);
        // Short values are shown exactly as JSON.
        const json = JSON.stringify(v);
        if (json.length <= 40) expect(d).toBe(json);
      }),
      { numRuns: 300 },
    );
  });

  it('json: deepEqual compares structure, not identity or key order', () => {
    expect(deepEqual({ a: [1, { b: 2 }], c: null }, { c: null, a: [1, { b: 2 }] })).toBe(true);
    expect(deepEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(deepEqual([], {})).toBe(false);
    expect(deepEqual({ a: undefined }, {})).toBe(false);
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(deepEqual(v, JSON.parse(JSON.stringify(v)))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
