/**
 * What the simulated board itself keeps in `power.json` across wakes and power cuts: why the next
 * wake happens (`timer` after a deep sleep, `watchdog` after a watchdog reset, `reset` after a
 * crash), and the battery charge used so far. A power cut does not erase it (it is the board's
 * bookkeeping, not device memory); the missing clock tells a power-on.
 */
import type { WakeReason } from '../hal.js';
import { MACHINE_FILES } from './device-dir.js';
import type { MachineStore } from './machine-store.js';

/** The board's bookkeeping. */
export interface BoardState {
  /** Reason of the next wake, unless the power was cut. */
  readonly next: WakeReason;
  /** Battery charge used so far (mAh). */
  readonly usedMah: number;
  /** Wakes this board has run, power cuts included. */
  readonly boots: number;
}

const REASONS: readonly string[] = ['power-on', 'timer', 'reset', 'watchdog', 'unknown'];

/** Read `power.json` (a fresh board when absent or unreadable). */
export function readBoardState(machine: MachineStore): BoardState {
  const j = machine.read(MACHINE_FILES.power);
  const next = j !== undefined && typeof j['next'] === 'string' && REASONS.indexOf(j['next']) >= 0 ? (j['next'] as WakeReason) : 'power-on';
  const used = j !== undefined && typeof j['usedMah'] === 'number' && isFinite(j['usedMah']) && j['usedMah'] >= 0 ? j['usedMah'] : 0;
  const boots = j !== undefined && typeof j['boots'] === 'number' && isFinite(j['boots']) && j['boots'] >= 0 ? Math.floor(j['boots']) : 0;
  return { next, usedMah: used, boots };
}

/** Write `power.json`. */
export function writeBoardState(machine: MachineStore, s: BoardState): void {
  machine.write(MACHINE_FILES.power, { next: s.next, usedMah: s.usedMah, boots: s.boots });
}

/** A simple Li-ion discharge model: volts for the fraction of charge left. */
export function batteryVoltsFor(usedMah: number, capacityMah: number): number {
  const left = capacityMah > 0 ? Math.max(0, Math.min(1, 1 - usedMah / capacityMah)) : 0;
  // 4.15 V full, a long plateau, then a knee below 10 %.
  const v = left > 0.1 ? 3.6 + 0.55 * ((left - 0.1) / 0.9) : 3.2 + 4 * left;
  return Math.round(v * 100) / 100;
}
