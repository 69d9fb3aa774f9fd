/**
 * The simulated HAL of one wake: every part of `hal/hal.ts` on Node with real parts (TLS sockets,
 * UDP, files as flash, a persisted clock and RTC memory). The runner (`runner.ts`) builds one per
 * wake and hands it to a fresh copy of the firmware; nothing crosses a deep sleep but what this
 * HAL persisted in the device directory.
 */
import type { Hal, WakeReason } from '../hal.js';
import { readBoardState, writeBoardState } from './board-state.js';
import type { BoardState } from './board-state.js';
import { createSimClock } from './clock.js';
import type { SimClock } from './clock.js';
import { nodeCrypto } from './crypto.js';
import { createSimDevice, deviceIdOf } from './device.js';
import { ensureDeviceDir, MACHINE_FILES, removeStaleTemps } from './device-dir.js';
import { guardHal } from './guard.js';
import { connectSocket, createSimHttp } from './http.js';
import type { SimHttp } from './http.js';
import { createSimIndicator } from './indicator.js';
import type { SimIndicator } from './indicator.js';
import { WakeLife } from './life.js';
import type { WakeEnd } from './life.js';
import { createSimLog } from './log.js';
import { openMachineStore } from './machine-store.js';
import type { MachineStore } from './machine-store.js';
import { createSimNet } from './net.js';
import { resolveSimHalOptions } from './options.js';
import type { SimHalOptions } from './options.js';
import { createSimPower } from './power.js';
import { createSimRtc } from './rtc.js';
import { createSimStorage } from './storage.js';
import type { SimStorage } from './storage.js';
import { createSimUdp } from './udp.js';
import { createSimWatchdog } from './watchdog.js';

/** What a wake did to the machine, for the timeline and tests. */
export interface SimWakeStats {
  readonly blinks: number;
  readonly connections: number;
  readonly requests: number;
  readonly flashBytes: number;
}

/** The HAL of one simulated wake, plus the machine's controls. */
export interface SimHal extends Hal {
  /** Why this wake started. */
  readonly reason: WakeReason;
  /** Resolves when the wake ends (deep sleep, power cut, watchdog). */
  readonly ended: Promise<WakeEnd>;
  /** True while the wake runs. */
  readonly awake: boolean;
  /** Cut the power now: the wake is abandoned, RTC memory and the clock are lost, flash stays. */
  powerCut(): void;
  /** The firmware stopped without sleeping (it threw): end the wake as a reset. */
  crash(message: string): void;
  stats(): SimWakeStats;
}

/** Cut the power of a device that is not running: RTC memory and the clock are lost, flash stays. */
export function cutPower(machine: MachineStore): void {
  machine.remove(MACHINE_FILES.rtc);
  machine.remove(MACHINE_FILES.clock);
}

/**
 * Build the HAL of the next wake of the device in `options.dir`. `machine` is the device's
 * machine store when the caller keeps one across wakes (the runner does); without it one is
 * opened on the directory.
 */
export function createSimHal(options: Partial<SimHalOptions> & { readonly dir: string }, machineStore?: MachineStore): SimHal {
  const o = resolveSimHalOptions(options);
  let machine: MachineStore;
  if (machineStore !== undefined) machine = machineStore;
  else {
    ensureDeviceDir(o.dir);
    removeStaleTemps(o.dir);
    machine = openMachineStore(o.dir, o.machineWrites, o.durable);
  }
  const life = new WakeLife();
  const board: BoardState = readBoardState(machine);
  const clock: SimClock = createSimClock(machine, {
    hostNow: o.hostNow,
    driftPpm: o.driftPpm,
    offsetMs: o.clockOffsetMs,
    setTimer: (ms, fn) => life.setTimer(ms, fn),
  });
  // No clock means the power was off: RTC memory cannot have survived either.
  if (clock.poweredOn) machine.remove(MACHINE_FILES.rtc);
  const reason: WakeReason = clock.poweredOn ? 'power-on' : board.next;
  const awakeSince = o.hostNow();
  const storage: SimStorage = createSimStorage(o.dir, { capacityBytes: o.flashBytes, durable: o.durable });
  const indicator: SimIndicator = createSimIndicator({ bell: o.bell, write: o.write, onChange: o.onLed });
  const http: SimHttp = createSimHttp({
    connect: (target) =>
      connectSocket(target).then((socket) => {
        life.adopt(socket);
        return socket;
      }),
  });
  const crypto = nodeCrypto();
  const random = (): number => (crypto.random(1)[0] as number) / 256;
  const id = o.id ?? deviceIdOf(o.dir);
  const rssiBase = o.rssiDbm - (parseInt(id.substring(0, 2), 16) % 12) + 6;
  const sink = o.log ?? (() => undefined);
  const raw: Hal = {
    clock,
    net: createSimNet({ rssiDbm: rssiBase, random }),
    http,
    udp: createSimUdp(),
    crypto,
    storage,
    rtc: createSimRtc(machine, { capacityBytes: o.rtcBytes }),
    indicator,
    power: createSimPower(life, { reason, usedMah: () => board.usedMah, capacityMah: o.batteryMah }),
    watchdog: createSimWatchdog(life),
    log: createSimLog(sink, o.logLevel, () => clock.uptime()),
    device: createSimDevice(id, o.thing),
  };

  life.atEnd((end) => {
    http.close();
    if (indicator.isOn()) indicator.set(false);
    const awakeMs = Math.max(0, o.hostNow() - awakeSince);
    const sleptS = end.kind === 'sleep' ? end.seconds : 0;
    const usedMah = board.usedMah + (awakeMs / 3600000) * o.awakeMa + (sleptS / 3600) * o.sleepMa;
    const next: WakeReason = end.kind === 'sleep' ? 'timer' : end.kind === 'watchdog' ? 'watchdog' : end.kind === 'power-cut' ? 'power-on' : 'reset';
    try {
      writeBoardState(machine, { next, usedMah, boots: board.boots + 1 });
      if (end.kind === 'power-cut') cutPower(machine);
      else if (end.kind === 'watchdog' || end.kind === 'crash') {
        // A reset that is not a deep-sleep wake: as on the chip, RTC memory and clock trust go.
        machine.remove(MACHINE_FILES.rtc);
        clock.forgetTrust();
      }
    } catch (e) {
      sink('error', `simulator: could not record the end of the wake in ${o.dir}: ${(e as Error).message}`);
    }
  });

  const guarded = guardHal(raw, life, o.intercept);
  return {
    ...guarded,
    reason,
    ended: life.ended,
    get awake(): boolean {
      return life.awake;
    },
    powerCut(): void {
      if (life.awake) life.finish({ kind: 'power-cut' });
      else cutPower(machine);
    },
    crash(message: string): void {
      if (life.awake) life.finish({ kind: 'crash', message });
    },
    stats: () => ({
      blinks: indicator.blinks(),
      connections: http.stats.connections,
      requests: http.stats.requests,
      flashBytes: storage.usedBytes(),
    }),
  };
}
