/**
 * Simulated flash: small named files in the device directory, as Espruino's `Storage` holds them
 * on a board. Every write is atomic (temporary file, fsync, rename), names follow Storage's rules
 * (1..28 characters), and the flash has a capacity: a write that would overflow it fails with
 * `EFULL` and leaves the old contents.
 */
import { readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Storage } from '../hal.js';
import { writeFileAtomic } from './atomic-file.js';
import { flashEntryName, isMachineEntry, isReservedName } from './device-dir.js';
import { messageOf, simFailure } from './errors.js';

/** Longest Storage file name on Espruino. */
export const MAX_NAME_LENGTH = 28;

/** Options of {@link createSimStorage}. */
export interface SimStorageOptions {
  /** Capacity of the flash in bytes (the config files count too). */
  readonly capacityBytes: number;
  /** fsync each write (off makes a fleet faster; writes stay atomic). */
  readonly durable: boolean;
}

/** The simulated flash, plus the figure a test or the timeline wants. */
export interface SimStorage extends Storage {
  /** Bytes used by flash files now. */
  usedBytes(): number;
}

function checkName(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw simFailure('ESTORAGE', `storage: expected a file name of 1..${MAX_NAME_LENGTH} characters, got ${typeof name === 'string' ? `${name.length} characters` : typeof name}`);
  }
  if (isReservedName(name)) {
    throw simFailure('ESTORAGE', `storage: the name "${name}" is taken by the simulator's machine state; expected another name`);
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Flash as files in `dir` (which must exist). */
export function createSimStorage(dir: string, o: SimStorageOptions): SimStorage {
  let used: number | undefined;
  const usage = (): number => {
    if (used === undefined) {
      used = 0;
      for (const e of readdirSync(dir)) if (!isMachineEntry(e)) used += fileSize(join(dir, e));
    }
    return used;
  };
  return {
    read(name: string): string | undefined {
      checkName(name);
      try {
        return readFileSync(join(dir, flashEntryName(name)), 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw simFailure('ESTORAGE', `storage: could not read "${name}": ${messageOf(e)}`);
      }
    },
    write(name: string, data: string): void {
      checkName(name);
      if (typeof data !== 'string') throw simFailure('ESTORAGE', `storage: "${name}": expected text to write, got ${typeof data}`);
      const file = join(dir, flashEntryName(name));
      const bytes = Buffer.from(data, 'utf8');
      const before = fileSize(file);
      const after = usage() - before + bytes.length;
      if (after > o.capacityBytes) {
        throw simFailure('EFULL', `storage: "${name}" (${bytes.length} bytes) does not fit: ${usage() - before} of ${o.capacityBytes} bytes used`);
      }
      try {
        writeFileAtomic(file, bytes, o.durable);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw simFailure(code === 'ENOSPC' ? 'EFULL' : 'ESTORAGE', `storage: could not write "${name}": ${messageOf(e)}`);
      }
      used = after;
    },
    remove(name: string): void {
      checkName(name);
      const file = join(dir, flashEntryName(name));
      const size = fileSize(file);
      try {
        unlinkSync(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw simFailure('ESTORAGE', `storage: could not remove "${name}": ${messageOf(e)}`);
      }
      if (used !== undefined) used -= size;
    },
    usedBytes: usage,
  };
}
