/**
 * `dormouse chaos`: simulated devices running the shipped firmware against the local cloud under
 * a seeded fault plan, while a driver changes their desired state; every wake is checked against
 * the device's promises (specs/device.md). Prints the faults injected, the violations found and
 * the convergence figures; exits 1 on any violation, printing the command that replays it.
 */
import { resolve } from 'node:path';
import { FAULTS_ENV, FaultPlanError, faultPlanFromEnv, readFaultPlan } from '../../hal/sim/faults/index.js';
import type { FaultPlan } from '../../hal/sim/faults/index.js';
import { CHAOS_DEFAULTS, figuresOf, formatFigures, formatViolation, runChaos } from '../chaos/index.js';
import type { Command, CommandIo } from '../command.js';
import { parseFlags, UsageError } from '../command.js';
import { interruptSignal } from '../sim-run.js';
import { appBundleFor, numberFlag } from './sim.js';

const USAGE = `usage: dormouse chaos --seed N --wakes M [--devices K] [--json] [options]

Run K simulated devices (the shipped firmware, dist/app.min.js) for M wakes each against a local
cloud, under a random fault plan drawn from the seed: Wi-Fi and DNS failures, SNTP timeouts and
lies, TLS failures, HTTP 429/500/503, a skewed server clock, garbage, truncated, never-ending and
reset responses, slow responses and handlers, power cuts anywhere (inside handlers and flash
writes too), clock jumps, bit flips in persisted records, full flash. A driver changes the
desired state meanwhile (valid and invalid values). Every wake is checked:

  sleep         every wake ends in deep sleep within the wake budget
  exactly-once  no handler runs twice for one desired change
  convergence   after the faults stop, reported = desired within a few wakes; no command lost
  persistence   records are never corrupt; a damaged one is reported (ECORRUPT) and reset
  reports       an unsent report goes out later; the cloud keeps every acknowledged update
  backoff       failed wakes back off exponentially with jitter, then return to the period
  status        the status line says what happened, with an error code when something failed

Devices do not really sleep, and wake with a ${CHAOS_DEFAULTS.wake.budgetMs} ms budget and ${CHAOS_DEFAULTS.wake.httpTimeoutMs} ms HTTP timeouts.

options:
  --seed N          seed of every random decision (default 1)
  --wakes M         wakes per device (default 400)
  --devices K       devices running at once (default ${CHAOS_DEFAULTS.devices})
  --episode N       wakes per episode: faults, then ${CHAOS_DEFAULTS.quietWakes} quiet wakes to measure convergence (default ${CHAOS_DEFAULTS.episodeWakes})
  --faults FILE     use this fault plan instead of the random one (also: ${FAULTS_ENV})
  --keep DIR        keep the cloud database and device directories in DIR
  --stop            stop at the first violation
  --json            print one JSON object with the figures (and the violations)
  --app FILE        the firmware bundle (default dist/app.min.js)

A violation prints the seed, the device and the wake, and the command that replays the run.`;

const OPTIONS = {
  seed: { type: 'string' },
  wakes: { type: 'string' },
  devices: { type: 'string' },
  episode: { type: 'string' },
  faults: { type: 'string' },
  keep: { type: 'string' },
  stop: { type: 'boolean' },
  json: { type: 'boolean' },
  app: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function planFrom(file: string | undefined, io: CommandIo): FaultPlan | undefined {
  try {
    return file !== undefined ? readFaultPlan(resolve(io.cwd, file)) : faultPlanFromEnv(io.env, io.cwd);
  } catch (e) {
    if (e instanceof FaultPlanError) throw new UsageError(`--faults: ${e.message}`);
    throw e;
  }
}

async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const parsed = parseFlags(argv, OPTIONS);
  const f = parsed.values;
  if (f.help === true) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const seed = numberFlag(f.seed, 'seed', { min: 0, max: 4294967295, integer: true }) ?? 1;
  const wakes = numberFlag(f.wakes, 'wakes', { min: 2, max: 10_000_000, integer: true }) ?? 400;
  const devices = numberFlag(f.devices, 'devices', { min: 1, max: 1000, integer: true }) ?? CHAOS_DEFAULTS.devices;
  const episode = numberFlag(f.episode, 'episode', { min: CHAOS_DEFAULTS.quietWakes + 2, max: 10_000_000, integer: true });
  const plan = planFrom(f.faults, io);
  const app = appBundleFor(f.app, io);
  const replay = ['dormouse chaos', `--seed ${seed}`, `--wakes ${wakes}`, `--devices ${devices}`]
    .concat(episode !== undefined ? [`--episode ${episode}`] : [])
    .concat(f.faults !== undefined ? [`--faults ${f.faults}`] : plan !== undefined ? [`(${FAULTS_ENV}=${io.env[FAULTS_ENV] ?? ''})`] : [])
    .join(' ');
  const json = f.json === true;
  const tty = (io.stdout as { isTTY?: boolean }).isTTY === true;
  if (!json) io.stdout.write(`dormouse chaos: seed ${seed}, ${devices} devices × ${wakes} wakes, ${plan !== undefined ? 'the given fault plan' : 'a random fault plan'}\n`);
  const { signal, dispose } = interruptSignal();
  let result;
  try {
    result = await runChaos(
      {
        seed,
        wakes,
        devices,
        app,
        ...(plan !== undefined ? { plan } : {}),
        ...(episode !== undefined ? { episodeWakes: episode } : {}),
        ...(f.keep !== undefined ? { dir: resolve(io.cwd, f.keep) } : {}),
        ...(f.stop === true ? { stopOnViolation: true } : {}),
        ...(json ? {} : {
          onViolation: (v) => io.stdout.write(`${tty ? '\r\x1b[K' : ''}${formatViolation(v, replay)}\n`),
          onProgress: (p) => {
            const line = `${p.wakes}/${p.total} wakes, ${p.faults} faults, ${p.violations} violations, ${(p.elapsedMs / 1000).toFixed(0)} s`;
            io.stdout.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
          },
          progressMs: tty ? 500 : 10_000,
        }),
      },
      signal,
    );
  } finally {
    dispose();
  }
  const figures = figuresOf(result, seed, wakes);
  if (json) {
    io.stdout.write(`${JSON.stringify({ ...figures, replay, violationList: result.violations.slice(0, 100) })}\n`);
  } else {
    io.stdout.write(`${tty ? '\r\x1b[K' : ''}\n${formatFigures(figures)}`);
    if (result.violations.length > 0) io.stdout.write(`\n${result.violations.length} violation${result.violations.length === 1 ? '' : 's'}; replay: ${replay}\n`);
  }
  return result.violations.length > 0 ? 1 : 0;
}

/** `dormouse chaos`. */
export const chaosCommand: Command = {
  name: 'chaos',
  summary: 'run simulated devices under a seeded fault plan and check the device promises (never hang, repeat, lose)',
  usage: USAGE,
  run,
};
