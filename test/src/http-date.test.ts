import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHttpDate } from '../../src/http-date.js';

describe('http date', () => {
  it('http date: RFC 1123 dates parse to epoch ms', () => {
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
    expect(parseHttpDate('Tue, 08 Oct 2013 00:16:12 GMT')).toBe(Date.UTC(2013, 9, 8, 0, 16, 12));
    expect(parseHttpDate('Thu, 29 Feb 2024 23:59:59 GMT')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59));
    expect(parseHttpDate('6 Nov 1994 08:49:37 GMT')).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
    expect(parseHttpDate('  Sun,  06 NOV 1994 08:49:37 UTC ')).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
  });

  it('http date: agrees with Node for every second of 1970..2100 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4102444799 }), (s) => {
        const text = new Date(s * 1000).toUTCString();
        return parseHttpDate(text) === s * 1000;
      }),
      { numRuns: 3000 },
    );
  });

  it.each([[undefined], [''], ['yesterday'], ['Sun, 31 Feb 2024 10:00:00 GMT'], ['Sun, 06 Nov 1994 25:00:00 GMT'], ['Sun, 06 Foo 1994 08:49:37 GMT'], ['1994-11-06T08:49:37Z'], ['Sun, 06 Nov 1994 08:49:37 PST'], ['Sun, 06 Nov 94 08:49:37 GMT'], ['Sun, 06 Nov 1994 8:49:37 GMT'], ['Sun, 06 Nov 1994 08:49 GMT'], ['Sun, 006 Nov 1994 08:49:37 GMT'], ['Sun, 29 Feb 2023 08:49:37 GMT']])(
    'http date: %j is not a date (undefined, never epoch 0)',
    (text) => {
      expect(parseHttpDate(text)).toBeUndefined();
    },
  );
});
