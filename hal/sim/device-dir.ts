/**
 * The device directory: one simulated board on disk. Flash files (the seed's config files
 * `aws_iot_cfg.txt`, `aws_credentials.txt`, `ca.pem`, and whatever the firmware writes) live in
 * it under their names; next to them the machine's own state, which is not flash:
 *
 * | file | what | survives a deep sleep | survives a power cut |
 * |---|---|---|---|
 * | `rtc.json` | RTC memory | yes | no |
 * | `clock.json` | the device clock (where it stands, when it was set) | yes | no |
 * | `power.json` | next wake reason, battery charge used | yes | yes |
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { TEMP_PREFIX } from './atomic-file.js';

/** The machine-state files of a device directory (never flash files). */
export const MACHINE_FILES = { rtc: 'rtc.json', clock: 'clock.json', power: 'power.json' } as const;

const RESERVED: readonly string[] = [MACHINE_FILES.rtc, MACHINE_FILES.clock, MACHINE_FILES.power];

/** True when `file` (a directory entry) is not a flash file: machine state or a temporary file. */
export function isMachineEntry(file: string): boolean {
  return RESERVED.indexOf(file) >= 0 || file.startsWith(TEMP_PREFIX);
}

/** True when the flash file name `name` is taken by the machine (the firmware may not use it). */
export function isReservedName(name: string): boolean {
  return RESERVED.indexOf(name) >= 0;
}

/**
 * The directory entry of flash file `name`: the name itself when it is a plain file name
 * (`[A-Za-z0-9_-]`, dots not leading), else every other byte percent-encoded, so any Storage name
 * maps to exactly one safe file and back.
 */
export function flashEntryName(name: string): string {
  let out = '';
  const bytes = Buffer.from(name, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    const c = String.fromCharCode(b);
    const plain = /[A-Za-z0-9_-]/.test(c) || (c === '.' && i > 0);
    out += plain ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The flash file name of a directory entry (inverse of {@link flashEntryName}). */
export function flashNameOf(entry: string): string {
  return Buffer.from(entry.replace(/%([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
}

/** Create the device directory if needed. */
export function ensureDeviceDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

/** Remove leftover temporary files (a write cut short by a crash of the simulator). */
export function removeStaleTemps(dir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) {
    if (!e.startsWith(TEMP_PREFIX)) continue;
    try {
      unlinkSync(join(dir, e));
    } catch {
      // another process's, or gone
    }
  }
}

/** Read a machine-state JSON object, or `undefined` when absent or unreadable (treated as lost). */
export function readMachineJson(dir: string, file: string): Record<string, unknown> | undefined {
  const p = join(dir, file);
  if (!existsSync(p)) return undefined;
  try {
    const v = JSON.parse(readFileSync(p, 'utf8')) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Delete a machine-state file if it exists. */
export function removeMachineFile(dir: string, file: string): void {
  try {
    unlinkSync(join(dir, file));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
