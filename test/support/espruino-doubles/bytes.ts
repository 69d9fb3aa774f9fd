/**
 * Espruino's byte helpers, as the doubles need them: `E.toUint8Array`/`E.toString` argument
 * flattening (src/jswrap_espruino.c) and the IEEE CRC-32 of `E.CRC32`.
 */

/** Bytes of Espruino-style arguments: strings char by char, arrays and typed arrays element by element, numbers as one byte. */
export function flattenBytes(args: readonly unknown[]): number[] {
  const out: number[] = [];
  const add = (v: unknown): void => {
    if (typeof v === 'string') {
      for (let i = 0; i < v.length; i++) {
        const c = v.charCodeAt(i);
        if (c > 255) throw new Error(`espruino double: char ${c} cannot exist in an ESP32 (8-bit) string`);
        out.push(c);
      }
    } else if (typeof v === 'number') out.push(v & 0xff);
    else if (typeof v === 'boolean') out.push(v ? 1 : 0);
    else if (v !== null && typeof v === 'object' && 'byteLength' in (v as object) && !('length' in (v as object))) {
      const b = new Uint8Array(v as ArrayBuffer);
      for (let i = 0; i < b.length; i++) out.push(b[i] as number);
    } else if (v !== null && typeof v === 'object' && 'length' in (v as object)) {
      const a = v as ArrayLike<unknown>;
      for (let i = 0; i < a.length; i++) add(a[i]);
    } else if (v !== null && typeof v === 'object' && 'data' in (v as object)) {
      const d = v as { data: unknown; count?: number };
      for (let i = 0; i < (d.count === undefined ? 1 : d.count); i++) add(d.data);
    }
  };
  for (const a of args) add(a);
  return out;
}

let table: Uint32Array | undefined;

/** IEEE CRC-32, unsigned, as `E.CRC32` returns it. */
export function crc32(bytes: readonly number[] | Uint8Array): number {
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = (table[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
