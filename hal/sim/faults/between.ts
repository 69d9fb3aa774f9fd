/**
 * Faults that strike while a device sleeps: one bit of a persisted record flips (flash or RTC
 * memory), the clock jumps while still trusted, the power goes. The next wake must notice and
 * say so (a corrupt record is reported `ECORRUPT`), or recover (the clock is fixed from the
 * cloud's `Date`), or start over (a power-on).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MACHINE_FILES, flashEntryName } from '../device-dir.js';
import type { SimDevice } from '../runner.js';
import { FIRMWARE_FILES } from './interceptor.js';
import type { FiredFault } from './journal.js';
import { Prng } from './prng.js';
import type { PlannedFault } from './schedule.js';

/** Options of {@link applyBetweenFaults}. */
export interface BetweenOptions {
  /** The firmware's flash records (default {@link FIRMWARE_FILES}). */
  readonly files?: { readonly state: string; readonly intent: string };
}

/** Flip one bit of `bytes` chosen by `prng`; returns the byte index and bit. */
function flip(bytes: Uint8Array, prng: Prng): { at: number; bit: number } {
  const at = prng.int(0, bytes.length - 1);
  const bit = prng.int(0, 7);
  bytes[at] = ((bytes[at] as number) ^ (1 << bit)) & 0xff;
  return { at, bit };
}

function flipFlashFile(dir: string, name: string, prng: Prng): string | undefined {
  const file = join(dir, flashEntryName(name));
  if (!existsSync(file)) return undefined;
  const bytes = new Uint8Array(readFileSync(file));
  if (bytes.length === 0) return undefined;
  const { at, bit } = flip(bytes, prng);
  writeFileSync(file, bytes);
  return `${name} byte ${at} bit ${bit}`;
}

function flipRtc(device: SimDevice, prng: Prng): string | undefined {
  const rtc = device.machine.read(MACHINE_FILES.rtc);
  const data = rtc !== undefined ? rtc['data'] : undefined;
  if (typeof data !== 'string' || data.length === 0) return undefined;
  const bytes = new Uint8Array(Buffer.from(data, 'latin1'));
  const { at, bit } = flip(bytes, prng);
  device.machine.write(MACHINE_FILES.rtc, { ...rtc, data: Buffer.from(bytes).toString('latin1') });
  return `RTC memory byte ${at} bit ${bit}`;
}

/**
 * Apply the between-wake faults `faults` (from `planBetween`) to `device`, which must be asleep.
 * Returns the faults that struck (a bit flip of a record that does not exist strikes nothing).
 */
export function applyBetweenFaults(device: SimDevice, faults: readonly PlannedFault[], o: BetweenOptions = {}): FiredFault[] {
  const files = o.files ?? FIRMWARE_FILES;
  const out: FiredFault[] = [];
  for (const f of faults) {
    const prng = new Prng(f.seed);
    if (f.kind === 'clock-jump') {
      const ms = f.jumpMs ?? 0;
      if (device.shiftClock(ms)) out.push({ kind: f.kind, rule: f.rule, where: 'asleep', detail: `${ms > 0 ? '+' : ''}${Math.round(ms / 60000)} min` });
    } else if (f.kind === 'power-cut-asleep') {
      device.powerCut();
      out.push({ kind: f.kind, rule: f.rule, where: 'asleep' });
    } else if (f.kind === 'bit-flip') {
      const detail = f.file === 'rtc' ? flipRtc(device, prng) : flipFlashFile(device.dir, f.file === 'intent' ? files.intent : files.state, prng);
      if (detail !== undefined) out.push({ kind: f.kind, rule: f.rule, where: 'asleep', detail });
    }
  }
  return out;
}
