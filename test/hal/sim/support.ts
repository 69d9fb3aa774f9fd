/** Temp device directories for the simulator's tests. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh, empty device directory. */
export function tempDeviceDir(): string {
  return mkdtempSync(join(tmpdir(), 'dormouse-sim-'));
}

/** A host clock a test moves by hand. */
export function manualHostClock(start = 1_800_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}
