/**
 * `dormouse start` (`npm start`): the whole loop on a laptop. Starts the local cloud, gives the
 * thing `id-1` the seed's desired state, provisions a simulated device for it and runs it fast
 * enough to wake every few seconds, with a live timeline. `dormouse shadow …` from a second
 * terminal in the same directory talks to this cloud (its `.dormouse/cloud` files say where), and
 * the device obeys on its next wake. Ctrl-C stops the device and the cloud, and exits 0.
 */
import { join, resolve } from 'node:path';
import { CLOUD_DEFAULTS, startCloud } from '../../cloud/index.js';
import type { RunningCloud } from '../../cloud/index.js';
import type { JsonObject } from '../../src/json.js';
import { resolveCloudDir } from '../client-config.js';
import type { Command, CommandIo } from '../command.js';
import { parseFlags } from '../command.js';
import { interruptSignal, runOneDevice, styleFor } from '../sim-run.js';
import type { SimRunOptions } from '../sim-run.js';
import { DEVICES_DIR, prepareDeviceDir } from '../sim-setup.js';
import { formatDuration } from '../timeline.js';
import { appBundleFor, clockOffsetFlag, logLevelFlag, numberFlag, versionText } from './sim.js';

/** The seed's desired state, given to a thing that has none yet. */
export const SEED_DESIRED: JsonObject = { sleep: 30, signal: 2, test: 'none', test_param: 1000 };

/** Defaults of `dormouse start`. */
export const START_DEFAULTS = {
  thing: 'id-1',
  /** A 30 s sleep takes 3 s: a wake every few seconds. */
  speed: 10,
  port: CLOUD_DEFAULTS.port,
  ntpPort: CLOUD_DEFAULTS.ntpPort,
};

const USAGE = `usage: dormouse start [options]     (npm start)

The whole loop on this laptop, no AWS account needed: the local cloud (HTTPS, SigV4, shadows,
SNTP), the thing ${START_DEFAULTS.thing} with the seed's desired state (${JSON.stringify(SEED_DESIRED)}),
and one simulated device running the shipped firmware, waking every few seconds. Change the
desired state from a second terminal in this directory and watch the next wake obey:

  npx dormouse shadow update ${START_DEFAULTS.thing} --desired signal=5

options:
  --speed X           sleep X times shorter in real time (default ${START_DEFAULTS.speed})
  --thing NAME        the thing (default ${START_DEFAULTS.thing})
  --port P            the cloud's HTTPS port (default ${START_DEFAULTS.port}; 0 or a busy port: a free one)
  --ntp-port P        the cloud's SNTP port (default ${START_DEFAULTS.ntpPort}; likewise)
  --cloud-dir DIR     the cloud's data directory (default .dormouse/cloud)
  --dir DIR           the device directory (default .dormouse/devices/THING)
  --wakes N           stop after N wakes (default: until Ctrl-C)
  --clock-offset T    the device's clock is off by T at power-on (2h, -90s)
  --power-cut         cut the device's power before the first wake
  --no-bell           do not ring the terminal bell when the device signals
  --log LEVEL         device log lines shown: debug, info, warn (default), error, none
  --version           print the firmware bundle's source hash and exit`;

const OPTIONS = {
  speed: { type: 'string' },
  thing: { type: 'string' },
  port: { type: 'string' },
  'ntp-port': { type: 'string' },
  'cloud-dir': { type: 'string' },
  dir: { type: 'string' },
  wakes: { type: 'string' },
  'clock-offset': { type: 'string' },
  'power-cut': { type: 'boolean' },
  'no-bell': { type: 'boolean' },
  log: { type: 'string' },
  version: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function inUse(e: unknown): boolean {
  return e !== null && typeof e === 'object' && (e as { code?: unknown }).code === 'EADDRINUSE';
}

/** Start the cloud on the wanted ports, or on free ones when those are taken. */
async function startLocalCloud(dataDir: string, port: number, ntpPort: number, say: (line: string) => void): Promise<RunningCloud> {
  try {
    return await startCloud({ dataDir, port, ntpPort, log: say });
  } catch (e) {
    if (!inUse(e)) throw e;
    say(`port ${port} (HTTPS) or ${ntpPort} (SNTP) is taken; using free ports`);
    return startCloud({ dataDir, port: 0, ntpPort: 0, log: say });
  }
}

async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const parsed = parseFlags(argv, OPTIONS);
  const f = parsed.values;
  if (f.help === true) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const app = appBundleFor(undefined, io);
  if (f.version === true) {
    io.stdout.write(versionText(app));
    return 0;
  }
  const thing = f.thing ?? START_DEFAULTS.thing;
  const log = logLevelFlag(f.log, 'warn');
  const clockOffsetMs = clockOffsetFlag(f['clock-offset']);
  const speed = numberFlag(f.speed, 'speed', { min: 0.001 }) ?? START_DEFAULTS.speed;
  const port = numberFlag(f.port, 'port', { min: 0, max: 65535, integer: true }) ?? START_DEFAULTS.port;
  const ntpPort = numberFlag(f['ntp-port'], 'ntp-port', { min: 0, max: 65535, integer: true }) ?? START_DEFAULTS.ntpPort;
  const cloudDir = resolveCloudDir(f['cloud-dir'], io);
  const style = styleFor(io);
  const dim = (t: string): string => (style.color ? `\x1b[2m${t}\x1b[0m` : t);
  const bold = (t: string): string => (style.color ? `\x1b[1m${t}\x1b[0m` : t);

  const cloud = await startLocalCloud(cloudDir, port, ntpPort, (line) => io.stdout.write(`${dim(line)}\n`));
  const { signal, dispose } = interruptSignal(() => io.stdout.write(`\n${dim('stopping…')}\n`));
  try {
    const ref = { thing };
    const stored = cloud.shadows.stored(ref);
    if (stored === undefined || stored.state.desired === undefined) {
      const outcome = cloud.shadows.update(ref, { state: { desired: SEED_DESIRED } }, cloud.credentials.accessKeyId, Date.now());
      if (!outcome.ok) throw new Error(`could not set the seed's desired state of ${thing}: ${outcome.message}`);
      io.stdout.write(`${thing}: desired state set to the seed's ${JSON.stringify(SEED_DESIRED)}\n`);
    } else {
      io.stdout.write(`${thing}: keeps its desired state ${JSON.stringify(stored.state.desired)} (version ${stored.version})\n`);
    }
    const dir = resolve(io.cwd, f.dir ?? join(DEVICES_DIR, thing));
    const device = await prepareDeviceDir({ dir, thing, forceThing: true, cloudDir, env: io.env });
    const o: SimRunOptions = {
      app,
      thing,
      thingGiven: true,
      dir,
      devices: 1,
      speed,
      ...(f.wakes !== undefined ? { wakes: numberFlag(f.wakes, 'wakes', { min: 1, integer: true }) as number } : {}),
      cloudDir,
      clockOffsetMs,
      driftPpm: 0,
      powerCut: f['power-cut'] === true,
      bell: f['no-bell'] !== true,
      logLevel: log,
      json: false,
    };
    io.stdout.write(
      `device ${thing}: ${device.dir} (${device.source}), firmware sourceHash ${app.sourceHash.substring(0, 12)}…\n` +
        `speed ×${speed}: each 30 s deep sleep takes ${formatDuration(30_000 / speed)}; the device clock stays real.\n\n` +
        `From another terminal in ${io.cwd}:\n` +
        `  ${bold(`npx dormouse shadow update ${thing} --desired signal=5`)}    blink 5 times on the next wake\n` +
        `  ${bold(`npx dormouse shadow update ${thing} --desired sleep=60`)}    sleep longer\n` +
        `  ${bold(`npx dormouse shadow get ${thing}`)}                          desired vs reported\n` +
        `Ctrl-C stops the device and the cloud.\n\n`,
    );
    await runOneDevice(o, device, io, signal);
    return 0;
  } finally {
    dispose();
    await cloud.close();
    if (signal.aborted) io.stdout.write(`${dim('stopped: device asleep, cloud closed.')}\n`);
  }
}

/** `dormouse start`, what `npm start` runs. */
export const startCommand: Command = {
  name: 'start',
  summary: 'the whole loop locally: local cloud + thing id-1 + a simulated device with a live timeline (npm start)',
  usage: USAGE,
  run,
};
