/**
 * Atomic file replacement for the simulated flash and machine state: write a temporary file next
 * to the target, fsync it, rename it over the target (and fsync the directory). After a crash at
 * any point the target holds the old or the new contents, never a mix.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Prefix of temporary files; names starting with it are never flash files. */
export const TEMP_PREFIX = '.tmp-';

let sequence = 0;

/** The temporary name used while replacing `file`. */
export function tempNameFor(file: string): string {
  sequence = (sequence + 1) % 1e9;
  return join(dirname(file), `${TEMP_PREFIX}${basename(file)}.${process.pid}.${sequence}`);
}

/** Open `dir` and fsync it so a rename in it is durable; ignored where directories cannot be synced. */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Replace `file` with `data` atomically. `durable` adds the fsyncs that make the new contents
 * survive an OS crash too (a simulated power cut only needs the rename to be atomic).
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, durable: boolean): void {
  const tmp = tempNameFor(file);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    if (durable) fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw e;
  }
  if (durable) syncDir(dirname(file));
}
