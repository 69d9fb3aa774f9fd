import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/hex.js';
import { utf8Decode, utf8Encode } from '../../src/utf8.js';

// Strings mixing ASCII, BMP, astral characters and lone surrogates.
const anyUtf16 = fc.string({
  unit: fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
    fc.constantFrom('a', 'é', 'ሴ', '😀', '\u0000'),
  ),
  maxLength: 40,
});

describe('utf8: encode/decode for UTF-16 engines', () => {
  it('encodes like Buffer, lone surrogates as U+FFFD', () => {
    fc.assert(
      fc.property(anyUtf16, (s) => {
        expect(Buffer.from(utf8Encode(s)).equals(Buffer.from(s, 'utf8'))).toBe(true);
      }),
      { numRuns: 500, seed: 4 },
    );
  });

  it('round-trips well-formed strings, astral characters included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        expect(utf8Decode(utf8Encode(s))).toBe(s);
      }),
      { numRuns: 500, seed: 5 },
    );
  });

  it('decodes arbitrary bytes like TextDecoder (one U+FFFD per maximal invalid subpart)', () => {
    const td = new TextDecoder('utf-8');
    const bytes = fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x80, 0xbf, 0xc0, 0xc2, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff)), { maxLength: 40 });
    fc.assert(
      fc.property(bytes, (arr) => {
        const b = new Uint8Array(arr);
        expect(utf8Decode(b)).toBe(td.decode(b));
      }),
      { numRuns: 1000, seed: 6 },
    );
  });
});

describe('hex', () => {
  it('toHex is lowercase and fromHex inverts it (either case)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        const h = toHex(b);
        expect(h).toBe(Buffer.from(b).toString('hex'));
        expect(Array.from(fromHex(h))).toEqual(Array.from(b));
        expect(Array.from(fromHex(h.toUpperCase()))).toEqual(Array.from(b));
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('fromHex rejects odd lengths and non-hex characters with EINVALID', () => {
    expect(() => fromHex('abc')).toThrow(expect.objectContaining({ code: 'EINVALID', message: expect.stringContaining('even number') }));
    expect(() => fromHex('zz')).toThrow(expect.objectContaining({ code: 'EINVALID', message: expect.stringContaining('offset 0') }));
  });
});
