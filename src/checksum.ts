/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial) for persisted records: detects a record that was
 * damaged in flash or RTC memory. Not a security measure. Espruino-safe: shifts and XOR only.
 */

let table: number[] | undefined;

function crcTable(): number[] {
  if (table) return table;
  const t: number[] = [];
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t.push(c >>> 0);
  }
  table = t;
  return t;
}

/** CRC-32 of `bytes` as an unsigned 32-bit number (`crc32(utf8("123456789")) === 0xcbf43926`). */
export function crc32(bytes: Uint8Array): number {
  const t = crcTable();
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = (t[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** CRC-32 of `bytes` as 8 lower-case hex digits, the form records carry. */
export function crc32Hex(bytes: Uint8Array): string {
  const s = crc32(bytes).toString(16);
  return '00000000'.substring(s.length) + s;
}
