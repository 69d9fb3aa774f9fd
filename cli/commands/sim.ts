/**
 * `dormouse sim`: run the shipped firmware on simulated devices against the local cloud or AWS.
 * One device with a live timeline by default; `--devices N` runs a fleet with a progress display
 * (a load test of the cloud).
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { loadAppBundle } from '../../hal/sim/app-bundle.js';
import type { AppBundle } from '../../hal/sim/app-bundle.js';
import { workerScript } from '../../hal/sim/fleet-threads.js';
import { isSimLogLevel } from '../../hal/sim/log.js';
import type { SimLogLevel } from '../../hal/sim/log.js';
import { resolveCloudDir } from '../client-config.js';
import type { Command, CommandIo } from '../command.js';
import { parseFlags, UsageError } from '../command.js';
import { FaultPlanError, faultPlanFromEnv, readFaultPlan } from '../../hal/sim/faults/index.js';
import type { FaultPlan } from '../../hal/sim/faults/index.js';
import { interruptSignal, prepareDevices, runFleetWithProgress, runOneDevice, SIM_RUN_DEFAULTS } from '../sim-run.js';
import type { SimRunOptions } from '../sim-run.js';
import { DEVICES_DIR, parseDuration } from '../sim-setup.js';
import { formatDuration } from '../timeline.js';

const USAGE = `usage: dormouse sim [options]

Run the shipped firmware (dist/app.min.js) on a simulated device: every wake loads it into a
fresh JavaScript context with a new simulated HAL (real TLS and UDP sockets, flash as files in
the device directory, RTC memory that survives deep sleep but not a power cut), and every deep
sleep really waits (divided by --speed). Against the local cloud by default, or any endpoint
(real AWS too) with --config.

options:
  --thing NAME        the thing (default id-1); a fleet is NAME-1..NAME-N (default id-1..id-N)
  --dir DIR           device directory (default .dormouse/devices/THING); a fleet: the directory
                      holding one per device (default .dormouse/devices)
  --speed X           sleep X times shorter in real time (default 1); the device clock stays real
  --wakes N           stop after N wakes (a fleet: N wakes in total); default: until Ctrl-C
  --devices N         run a fleet of N devices with staggered wakes (load test); default 1
  --threads N         worker threads of a fleet (default: one per core for 50+ devices)
  --max-awake N       wakes of a fleet running at once per thread (default 24); more devices
                      due wait asleep, so an overloaded laptop runs late rather than time out
  --config FILE       use this aws_iot_cfg.txt (with aws_credentials.txt and its CA next to it)
                      instead of provisioning the device from the local cloud
  --cloud-dir DIR     the local cloud's data directory (default .dormouse/cloud)
  --clock-offset T    a device that powers on has its clock off by T (2h, -90s, 1500ms)
  --drift-ppm N       the device clock runs N ppm fast (negative: slow); default 0
  --power-cut         cut the power before the first wake (RTC memory and clock lost)
  --faults FILE       inject faults from a fault plan (JSON; also DORMOUSE_FAULTS), one device
                      only; the cloud-side kinds need a cloud started with --faults too (its own
                      plan may be {"rules": []}); see README "Faults and the chaos run"
  --bell              ring the terminal bell when the LED blinks (signal)
  --log LEVEL         device log lines shown: debug, info, warn (default), error, none
  --json              one JSON object per wake instead of the timeline
  --app FILE          the firmware bundle (default dist/app.min.js of this package)
  --version           print the firmware bundle's source hash and exit`;

const OPTIONS = {
  thing: { type: 'string' },
  dir: { type: 'string' },
  speed: { type: 'string' },
  wakes: { type: 'string' },
  devices: { type: 'string' },
  threads: { type: 'string' },
  'max-awake': { type: 'string' },
  config: { type: 'string' },
  'cloud-dir': { type: 'string' },
  'clock-offset': { type: 'string' },
  'drift-ppm': { type: 'string' },
  'power-cut': { type: 'boolean' },
  faults: { type: 'string' },
  bell: { type: 'boolean' },
  log: { type: 'string' },
  json: { type: 'boolean' },
  app: { type: 'string' },
  version: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A positive number flag. */
export function numberFlag(v: string | undefined, flag: string, o: { min: number; integer?: boolean; max?: number }): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !isFinite(n) || n < o.min || (o.max !== undefined && n > o.max) || (o.integer === true && !Number.isInteger(n))) {
    throw new UsageError(`--${flag}: expected ${o.integer === true ? 'an integer' : 'a number'} >= ${o.min}${o.max !== undefined ? ` and <= ${o.max}` : ''}, got ${JSON.stringify(v)}`);
  }
  return n;
}

/** `--log LEVEL` of a simulated device, or `fallback`. */
export function logLevelFlag(value: string | undefined, fallback: SimLogLevel): SimLogLevel {
  const log = value ?? fallback;
  if (!isSimLogLevel(log)) throw new UsageError(`--log: expected debug, info, warn, error or none, got ${JSON.stringify(log)}`);
  return log;
}

/** `--clock-offset T` in milliseconds (0 when absent). */
export function clockOffsetFlag(value: string | undefined): number {
  if (value === undefined) return 0;
  try {
    return parseDuration(value, '--clock-offset');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** `--app` or the package's bundle, with a clear error when it is not built. */
export function appBundleFor(flag: string | undefined, io: CommandIo): AppBundle {
  return loadAppBundle(flag !== undefined ? resolve(io.cwd, flag) : undefined);
}

/** The version lines of the firmware bundle. */
export function versionText(app: AppBundle): string {
  return `app ${app.file}\nsourceHash ${app.sourceHash}\nbytes ${app.bytes}\n`;
}

async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const parsed = parseFlags(argv, OPTIONS);
  const f = parsed.values;
  if (f.help === true) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const app = appBundleFor(f.app, io);
  if (f.version === true) {
    io.stdout.write(versionText(app));
    return 0;
  }
  const devices = numberFlag(f.devices, 'devices', { min: 1, integer: true, max: 100_000 }) ?? SIM_RUN_DEFAULTS.devices;
  const fleet = devices > 1;
  const thing = f.thing ?? (fleet ? SIM_RUN_DEFAULTS.fleetPrefix : SIM_RUN_DEFAULTS.thing);
  const log = logLevelFlag(f.log, fleet ? 'none' : 'warn');
  const clockOffsetMs = clockOffsetFlag(f['clock-offset']);
  const defaultThreads = devices >= 50 && workerScript() !== undefined ? availableParallelism() : 1;
  const threads = numberFlag(f.threads, 'threads', { min: 1, max: 256, integer: true }) ?? defaultThreads;
  if (threads > 1 && workerScript() === undefined) throw new UsageError('--threads: worker threads need the compiled simulator; run `npm run build`');
  let faults: FaultPlan | undefined;
  try {
    faults = f.faults !== undefined ? readFaultPlan(resolve(io.cwd, f.faults)) : faultPlanFromEnv(io.env, io.cwd);
  } catch (e) {
    if (e instanceof FaultPlanError) throw new UsageError(`--faults: ${e.message}`);
    throw e;
  }
  if (faults !== undefined && fleet) throw new UsageError('--faults: one device only; for a fleet under faults use dormouse chaos');
  const o: SimRunOptions = {
    app,
    ...(faults !== undefined ? { faults } : {}),
    threads,
    ...(f['max-awake'] !== undefined ? { maxAwake: numberFlag(f['max-awake'], 'max-awake', { min: 1, integer: true, max: 100_000 }) as number } : {}),
    thing,
    thingGiven: f.thing !== undefined,
    dir: resolve(io.cwd, f.dir ?? (fleet ? DEVICES_DIR : `${DEVICES_DIR}/${thing}`)),
    devices,
    speed: numberFlag(f.speed, 'speed', { min: 0.001 }) ?? SIM_RUN_DEFAULTS.speed,
    ...(f.wakes !== undefined ? { wakes: numberFlag(f.wakes, 'wakes', { min: 1, integer: true }) as number } : {}),
    ...(f.config !== undefined ? { configFile: resolve(io.cwd, f.config) } : {}),
    cloudDir: resolveCloudDir(f['cloud-dir'], io),
    clockOffsetMs,
    driftPpm: numberFlag(f['drift-ppm'], 'drift-ppm', { min: -500_000, max: 500_000 }) ?? 0,
    powerCut: f['power-cut'] === true,
    bell: f.bell === true,
    logLevel: log,
    json: f.json === true,
  };
  const prepared = await prepareDevices(o, io);
  const { signal, dispose } = interruptSignal();
  try {
    if (!fleet) {
      const d = prepared[0] as (typeof prepared)[number];
      if (!o.json) {
        io.stdout.write(`dormouse sim: ${d.thing} in ${d.dir} (${d.source}); cloud ${d.endpoint}, SNTP ${d.ntp}\n`);
        io.stdout.write(`firmware ${app.file} (sourceHash ${app.sourceHash.substring(0, 12)}…), speed ×${o.speed}: a 30 s sleep takes ${formatDuration(30_000 / o.speed)}. Ctrl-C stops.\n`);
      }
      await runOneDevice(o, d, io, signal);
      return 0;
    }
    if (!o.json) io.stdout.write(`dormouse sim: fleet of ${devices} devices (${thing}-1..${thing}-${devices}) in ${o.dir}; cloud ${(prepared[0] as (typeof prepared)[number]).endpoint}; speed ×${o.speed}; ${threads} thread${threads === 1 ? '' : 's'}. Ctrl-C stops.\n`);
    const final = await runFleetWithProgress(o, prepared, io, signal);
    return final.failed > 0 ? 1 : 0;
  } finally {
    dispose();
  }
}

/** `dormouse sim`. */
export const simCommand: Command = {
  name: 'sim',
  summary: 'run the shipped firmware on simulated devices (one with a timeline, or a fleet for load tests)',
  usage: USAGE,
  run,
};
