import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flashEntryName, flashNameOf, removeStaleTemps } from '../../../hal/sim/device-dir.js';
import { createSimStorage } from '../../../hal/sim/storage.js';
import { tempDeviceDir } from './support.js';

const storage = (dir: string, capacityBytes = 1_000_000) => createSimStorage(dir, { capacityBytes, durable: true });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('sim storage (flash as files)', () => {
  it('storage: a missing file reads as undefined, a written one reads back, also with non-ASCII text', () => {
    const s = storage(tempDeviceDir());
    expect(s.read('state')).toBeUndefined();
    s.write('state', '{"a":"é🙂"}');
    expect(s.read('state')).toBe('{"a":"é🙂"}');
    s.write('state', 'second');
    expect(s.read('state')).toBe('second');
  });

  it('storage: files are visible in the device directory under their names (config files dropped in are flash)', () => {
    const dir = tempDeviceDir();
    writeFileSync(join(dir, 'aws_iot_cfg.txt'), '{"region":"us-east-1"}');
    const s = storage(dir);
    expect(s.read('aws_iot_cfg.txt')).toBe('{"region":"us-east-1"}');
    s.write('dormouse.state', 'x');
    expect(readFileSync(join(dir, 'dormouse.state'), 'utf8')).toBe('x');
  });

  it('storage: remove deletes the file; removing a missing one is fine', () => {
    const s = storage(tempDeviceDir());
    s.write('a', '1');
    s.remove('a');
    expect(s.read('a')).toBeUndefined();
    expect(() => s.remove('a')).not.toThrow();
  });

  it('storage: names longer than 28 characters, empty names and the machine files are refused with ESTORAGE', () => {
    const s = storage(tempDeviceDir());
    expect(codeOf(() => s.write('x'.repeat(29), 'v'))).toBe('ESTORAGE');
    expect(codeOf(() => s.write('', 'v'))).toBe('ESTORAGE');
    expect(codeOf(() => s.write('rtc.json', 'v'))).toBe('ESTORAGE');
    expect(codeOf(() => s.read('clock.json'))).toBe('ESTORAGE');
    expect(codeOf(() => s.write('x'.repeat(28), 'v'))).toBeUndefined();
  });

  it('storage: a write that would overflow the flash fails with EFULL and keeps the old contents', () => {
    const s = storage(tempDeviceDir(), 100);
    s.write('a', 'x'.repeat(60));
    expect(codeOf(() => s.write('b', 'y'.repeat(50)))).toBe('EFULL');
    expect(s.read('b')).toBeUndefined();
    // Replacing a file only needs room for the difference.
    s.write('a', 'z'.repeat(90));
    expect(s.read('a')).toBe('z'.repeat(90));
    expect(s.usedBytes()).toBe(90);
  });

  it('storage: writes leave no temporary files, and a temp file left by a crash is removed without touching the old contents', () => {
    const dir = tempDeviceDir();
    const s = storage(dir);
    s.write('state', 'old');
    expect(readdirSync(dir)).toEqual(['state']);
    // A crash between writing the temporary file and the rename leaves both behind.
    writeFileSync(join(dir, '.tmp-state.999.1'), 'new, half written');
    removeStaleTemps(dir);
    expect(readdirSync(dir)).toEqual(['state']);
    expect(storage(dir).read('state')).toBe('old');
  });

  it('storage: odd names (slashes, dots, spaces, non-ASCII) map to one safe file each and back', () => {
    const dir = tempDeviceDir();
    const s = storage(dir);
    for (const name of ['a/b', '..', '.hidden', 'sp ace', 'é', '%41']) s.write(name, name);
    for (const name of ['a/b', '..', '.hidden', 'sp ace', 'é', '%41']) expect(s.read(name)).toBe(name);
    for (const e of readdirSync(dir)) {
      expect(e).toMatch(/^[A-Za-z0-9_%-][A-Za-z0-9._%-]*$/);
      expect(existsSync(join(dir, e))).toBe(true);
    }
  });

  it('storage: flashEntryName is injective and flashNameOf inverts it (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 28 }), fc.string({ minLength: 1, maxLength: 28 }), (a, b) => {
        expect(flashNameOf(flashEntryName(a))).toBe(a);
        if (a !== b) expect(flashEntryName(a)).not.toBe(flashEntryName(b));
        expect(flashEntryName(a).startsWith('.')).toBe(false);
      }),
    );
  });
});
