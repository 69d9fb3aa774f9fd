/**
 * Runs simulated devices for the CLI: one device with a live timeline (or JSON lines), or a
 * fleet with a progress display, until the wakes are done or the user presses Ctrl-C.
 */
import { join } from 'node:path';
import type { LogLevel } from '../hal/hal.js';
import type { AppBundle } from '../hal/sim/app-bundle.js';
import { createFaultInjector } from '../hal/sim/faults/index.js';
import type { FaultPlan } from '../hal/sim/faults/index.js';
import { runFleet } from '../hal/sim/fleet.js';
import { runFleetThreads } from '../hal/sim/fleet-threads.js';
import { FleetStats } from '../hal/sim/fleet-stats.js';
import type { FleetSnapshot } from '../hal/sim/fleet-stats.js';
import type { SimLogLevel } from '../hal/sim/log.js';
import type { SimDeviceOptions, WakeRecord } from '../hal/sim/runner.js';
import { SimDevice } from '../hal/sim/runner.js';
import type { CommandIo } from './command.js';
import { prepareDeviceDir } from './sim-setup.js';
import type { PreparedDevice } from './sim-setup.js';
import { formatProgress, formatWakeLine, summaryOf } from './timeline.js';
import type { TimelineStyle } from './timeline.js';

/** What to simulate. */
export interface SimRunOptions {
  readonly app: AppBundle;
  /** Thing of a single device, or the name prefix of a fleet (`PREFIX-1..PREFIX-N`). */
  readonly thing: string;
  /** Single device: its directory. Fleet: the directory holding one directory per device. */
  readonly dir: string;
  readonly devices: number;
  readonly speed: number;
  readonly wakes?: number;
  readonly configFile?: string;
  readonly cloudDir: string;
  readonly clockOffsetMs: number;
  readonly driftPpm: number;
  /** Cut the power before the first wake. */
  readonly powerCut: boolean;
  readonly bell: boolean;
  readonly logLevel: SimLogLevel;
  readonly json: boolean;
  /** True when the thing name was given (a single device's config then names it). */
  readonly thingGiven: boolean;
  /** Worker threads of a fleet (1: all devices on the main thread). */
  readonly threads?: number;
  /** Wakes of a fleet running at once per thread. */
  readonly maxAwake?: number;
  /** A fault plan for a single device (`--faults FILE`). */
  readonly faults?: FaultPlan;
}

/** `bit-flip (asleep, state record byte 12 bit 3)`: a fault that struck, for the timeline. */
function describeFault(f: { readonly kind: string; readonly where: string; readonly detail?: string }): string {
  return `${f.kind} (${f.where}${f.detail !== undefined ? `, ${f.detail}` : ''})`;
}

/** Defaults of the simulator's CLI options (`dormouse sim`). */
export const SIM_RUN_DEFAULTS = {
  thing: 'id-1',
  fleetPrefix: 'id',
  speed: 1,
  devices: 1,
  /** Nominal sleep used to spread a fleet's first wakes (the seed's default sleep, s). */
  staggerSleepSeconds: 30,
  /** Progress line interval on a terminal / in a log (ms). */
  progressTtyMs: 500,
  progressLogMs: 5000,
};

/** How the output is drawn, from the terminal and `NO_COLOR`. */
export function styleFor(io: CommandIo): TimelineStyle & { readonly tty: boolean } {
  const tty = (io.stdout as { isTTY?: boolean }).isTTY === true;
  return { tty, color: tty && io.env['NO_COLOR'] === undefined };
}

function jsonLine(label: string, r: WakeRecord): string {
  return `${JSON.stringify({ device: label, index: r.index, reason: r.reason, startedAt: r.startedAt, cycleMs: Math.round(r.cycleMs * 10) / 10, contextMs: Math.round(r.contextMs * 100) / 100, end: r.end, sleepRealMs: r.sleepRealMs, stats: r.stats, ...(r.error !== undefined ? { error: r.error } : {}), summary: r.summary ?? null })}\n`;
}

/** Prepare every device directory; one device, or `devices` named `PREFIX-i` under `dir`. */
export async function prepareDevices(o: SimRunOptions, io: CommandIo): Promise<PreparedDevice[]> {
  const out: PreparedDevice[] = [];
  if (o.devices === 1) {
    out.push(await prepareDeviceDir({ dir: o.dir, thing: o.thing, forceThing: o.thingGiven, configFile: o.configFile, cloudDir: o.cloudDir, env: io.env }));
    return out;
  }
  for (let i = 1; i <= o.devices; i++) {
    const thing = `${o.thing}-${i}`;
    out.push(await prepareDeviceDir({ dir: join(o.dir, thing), thing, forceThing: true, configFile: o.configFile, cloudDir: o.cloudDir, env: io.env }));
  }
  return out;
}

function deviceOptions(
  o: SimRunOptions,
  d: PreparedDevice,
  io: CommandIo,
  fleet: boolean,
  log: (level: LogLevel, line: string) => void,
  onLed?: (on: boolean) => void,
): SimDeviceOptions {
  return {
    dir: d.dir,
    thing: d.thing,
    app: o.app,
    speed: o.speed,
    clockOffsetMs: o.clockOffsetMs,
    driftPpm: o.driftPpm,
    // The bell is for a terminal; in a log file it is junk.
    bell: o.bell && !fleet && styleFor(io).tty,
    write: (text) => io.stdout.write(text),
    ...(onLed !== undefined ? { onLed } : {}),
    log,
    logLevel: o.logLevel,
    // A fleet keeps machine state in memory and writes it when it stops (see machine-store.ts).
    machineWrites: fleet ? 'on-stop' : 'through',
    durable: !fleet,
  };
}

/** Run one device with a timeline until its wakes are done or `signal` aborts. Resolves with the wakes run. */
export async function runOneDevice(o: SimRunOptions, device: PreparedDevice, io: CommandIo, signal: AbortSignal, onWake?: (r: WakeRecord) => void): Promise<number> {
  const style = styleFor(io);
  // On a terminal the LED is drawn live, one dot per blink, until the wake's line replaces it.
  let ledShown = false;
  const clearLed = (): void => {
    if (ledShown) io.stdout.write('\r\x1b[K');
    ledShown = false;
  };
  const onLed = style.tty && !o.json
    ? (on: boolean): void => {
        if (!on) return;
        io.stdout.write(`${ledShown ? '' : '  led '}${style.color ? '\x1b[33m●\x1b[0m' : '*'}`);
        ledShown = true;
      }
    : undefined;
  const log = (level: LogLevel, line: string): void => {
    if (o.json) {
      io.stderr.write(`${line}\n`);
      return;
    }
    if (ledShown) io.stdout.write('\n');
    ledShown = false;
    io.stdout.write(`  ${style.color ? `\x1b[2m${line}\x1b[0m` : line}\n`);
    void level;
  };
  const injector = o.faults === undefined ? undefined : createFaultInjector({ plan: o.faults, seed: o.faults.seed ?? 1, device: 1, dir: device.dir });
  const options = deviceOptions(o, device, io, false, log, onLed);
  const sim = new SimDevice(injector === undefined ? options : { ...options, interceptWake: (n) => injector.interceptWake(n) });
  if (o.powerCut) sim.powerCut();
  let before: string[] = [];
  try {
    return await sim.run({
      ...(o.wakes !== undefined ? { wakes: o.wakes } : {}),
      signal,
      ...(injector !== undefined ? { onWakeStart: (n: number) => void (before = injector.beforeWake(sim, n).map(describeFault)) } : {}),
      onWake: (r) => {
        clearLed();
        const j = injector?.journal(r.index);
        const struck = [...before, ...[...(j?.fired ?? []), ...(j?.requested ?? [])].map(describeFault)];
        if (struck.length > 0 && !o.json) io.stdout.write(`  faults: ${struck.join('; ')}\n`);
        io.stdout.write(o.json ? jsonLine(device.thing, r) : `${formatWakeLine(r, style)}\n`);
        onWake?.(r);
      },
    });
  } finally {
    sim.close();
  }
}

/** Run a fleet with a progress display; resolves with the final figures. */
export async function runFleetWithProgress(o: SimRunOptions, devices: readonly PreparedDevice[], io: CommandIo, signal: AbortSignal): Promise<FleetSnapshot> {
  const style = styleFor(io);
  const stats = new FleetStats();
  const log = (_level: LogLevel, line: string): void => void io.stderr.write(`${line}\n`);
  const options = devices.map((d) => deviceOptions(o, d, io, true, log));
  if (o.powerCut) for (const d of options) new SimDevice(d).powerCut();
  const progress = (): string => formatProgress(stats.snapshot(), devices.length, o.wakes, style);
  const every = style.tty ? SIM_RUN_DEFAULTS.progressTtyMs : SIM_RUN_DEFAULTS.progressLogMs;
  const timer = o.json ? undefined : setInterval(() => io.stdout.write(style.tty ? `\r\x1b[K${progress()}` : `${progress()}\n`), every);
  const staggerMs = (SIM_RUN_DEFAULTS.staggerSleepSeconds * 1000) / o.speed / devices.length;
  const onWake = (i: number, r: WakeRecord): void => {
    stats.add(r);
    if (o.json) io.stdout.write(jsonLine((devices[i] as PreparedDevice).thing, r));
    else if (summaryOf(r)?.error !== undefined || r.end.kind !== 'sleep') {
      // Failures are shown as they happen, above the progress line.
      io.stdout.write(`${style.tty ? '\r\x1b[K' : ''}${formatWakeLine(r, style, (devices[i] as PreparedDevice).thing)}\n`);
    }
  };
  try {
    if ((o.threads ?? 1) > 1) {
      await runFleetThreads({
        threads: o.threads as number,
        appFile: o.app.file,
        devices: options.map((d) => ({
          dir: d.dir,
          thing: d.thing as string,
          speed: o.speed,
          clockOffsetMs: o.clockOffsetMs,
          driftPpm: o.driftPpm,
          logLevel: o.logLevel,
          machineWrites: 'on-stop',
          durable: false,
        })),
        ...(o.wakes !== undefined ? { wakes: o.wakes } : {}),
        staggerMs,
        ...(o.maxAwake !== undefined ? { maxAwake: o.maxAwake } : {}),
        signal,
        onWake,
        onLog: (_i, line) => log('info', line),
      });
    } else {
      await runFleet({ devices: options, ...(o.wakes !== undefined ? { wakes: o.wakes } : {}), ...(o.maxAwake !== undefined ? { maxAwake: o.maxAwake } : {}), staggerMs, signal, onWake });
    }
  } finally {
    if (timer !== undefined) clearInterval(timer);
  }
  const final = stats.snapshot();
  if (!o.json) io.stdout.write(`${style.tty ? '\r\x1b[K' : ''}${formatProgress(final, devices.length, o.wakes, style)}\n`);
  return final;
}

/**
 * An AbortSignal that fires on Ctrl-C (SIGINT) or SIGTERM, and a function removing the handlers.
 * A second Ctrl-C exits at once.
 */
export function interruptSignal(onFirst?: () => void): { signal: AbortSignal; dispose: () => void } {
  const ac = new AbortController();
  const handler = (): void => {
    if (ac.signal.aborted) process.exit(130);
    onFirst?.();
    ac.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: ac.signal,
    dispose: () => {
      process.removeListener('SIGINT', handler);
      process.removeListener('SIGTERM', handler);
    },
  };
}
