/**
 * Where the simulated board keeps its machine state (`rtc.json`, `clock.json`, `power.json` of
 * the device directory): a small JSON object per file.
 *
 * Two ways to keep it:
 * - `through`: every change is written to its file at once (atomically). The directory always
 *   shows the machine as it is; a crash of the simulator loses nothing.
 * - `on-stop`: changes stay in memory and are written by {@link MachineStore.flush} when the
 *   simulator stops cleanly. Opening the store removes the volatile files (RTC memory and the
 *   clock) from disk, so a simulator that crashes leaves a device that powers on next time, which
 *   is what a crash of the "power supply" is. Fleets use it: thousands of wakes a second cannot
 *   afford two file replacements each.
 */
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import { MACHINE_FILES, readMachineJson, removeMachineFile } from './device-dir.js';

/** A machine-state file. */
export type MachineFile = (typeof MACHINE_FILES)[keyof typeof MACHINE_FILES];

/** How machine state reaches the disk. */
export type MachineWrites = 'through' | 'on-stop';

/** The machine state of one device. */
export interface MachineStore {
  read(file: MachineFile): Readonly<Record<string, unknown>> | undefined;
  write(file: MachineFile, value: Readonly<Record<string, unknown>>): void;
  remove(file: MachineFile): void;
  /** Write what is only in memory (`on-stop`); a no-op for `through`. */
  flush(): void;
}

const ALL: readonly MachineFile[] = [MACHINE_FILES.rtc, MACHINE_FILES.clock, MACHINE_FILES.power];
const VOLATILE: readonly MachineFile[] = [MACHINE_FILES.rtc, MACHINE_FILES.clock];

/** The machine store of the device directory `dir` (which must exist). */
export function openMachineStore(dir: string, mode: MachineWrites, durable: boolean): MachineStore {
  const save = (file: MachineFile, value: Readonly<Record<string, unknown>>): void =>
    writeFileAtomic(join(dir, file), `${JSON.stringify(value)}\n`, durable);
  if (mode === 'through') {
    return {
      read: (file) => readMachineJson(dir, file),
      write: save,
      remove: (file) => removeMachineFile(dir, file),
      flush: () => undefined,
    };
  }
  const cache = new Map<MachineFile, Readonly<Record<string, unknown>> | undefined>();
  for (const f of ALL) cache.set(f, readMachineJson(dir, f));
  for (const f of VOLATILE) removeMachineFile(dir, f);
  const dirty = new Set<MachineFile>(VOLATILE.filter((f) => cache.get(f) !== undefined));
  return {
    read: (file) => cache.get(file),
    write(file, value) {
      cache.set(file, value);
      dirty.add(file);
    },
    remove(file) {
      cache.set(file, undefined);
      dirty.add(file);
    },
    flush() {
      for (const f of dirty) {
        const v = cache.get(f);
        if (v === undefined) removeMachineFile(dir, f);
        else save(f, v);
      }
      dirty.clear();
    },
  };
}
