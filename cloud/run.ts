/**
 * `dormouse cloud …` as a function of argv: flag parsing, start-up, the one-line banner, and
 * shutdown on SIGINT/SIGTERM. Used by `cli/commands/cloud.ts` and by `cloud/main.ts` (the entry
 * a test or supervisor runs as a child process).
 */
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import { startCloud } from './index.js';
import { CLOUD_DEFAULTS } from './options.js';
import type { CloudOptions, Durability } from './options.js';
import { provisionThing } from './provision.js';
import { FaultPlanError, faultPlanFromEnv, readFaultPlan } from '../hal/sim/faults/plan.js';
import type { FaultPlan } from '../hal/sim/faults/plan.js';

/** A command line `dormouse cloud` cannot make sense of (the CLI prints it with the usage, exit 2). */
export class CloudUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloudUsageError';
  }
}

/** Where `dormouse cloud` writes and what it reads (the CLI's `CommandIo` fits). */
export interface CloudIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** Usage text of `dormouse cloud`. */
export const CLOUD_USAGE = `usage: dormouse cloud [options]
       dormouse cloud provision THING --out DIR [--data DIR] [--x509 | --shared] [--rotate]

A local AWS IoT data plane (shadows, publish, SigV4, SNTP) on this machine.

options:
  --host H              address to listen on (default ${CLOUD_DEFAULTS.host})
  --port P              HTTPS port, 0 = any free one (default ${CLOUD_DEFAULTS.port})
  --data DIR            CA, certificates, key, database, cloud.json (default ${CLOUD_DEFAULTS.dataDir})
  --region R            region it claims to be (default ${CLOUD_DEFAULTS.region})
  --ntp-port P          SNTP responder UDP port (default ${CLOUD_DEFAULTS.ntpPort}); --no-ntp turns it off
  --http-port P         also serve plain HTTP on P (INSECURE: for boards without TLS, on a bench)
  --mtls-port P         also serve mutual TLS on P: devices authenticate with a client certificate
                        (AWS IoT's port 8443), no signature; --x509 = on port ${CLOUD_DEFAULTS.mtlsPort}
  --require-sni         refuse TLS clients without SNI or with a foreign name, as AWS does
  --dhe                 also offer DHE-RSA cipher suites (AWS IoT offers ECDHE-RSA and RSA only)
  --strict-region       refuse signatures scoped to another region, as AWS does
  --no-throttle         no per-thing limits (load tests); or --rate N / --in-flight N (default ${CLOUD_DEFAULTS.throttle.perThingPerSecond}/s, ${CLOUD_DEFAULTS.throttle.inFlightPerThing})
  --durability D        process (survives kill -9; default) or os (fsync per update: survives power loss)
  --max-nesting N       nesting levels of a section, counting the section (default ${CLOUD_DEFAULTS.limits.maxNesting})
  --state-bytes N       state document limit in bytes (default ${CLOUD_DEFAULTS.limits.maxStateBytes})
  --state-scope S       combined (desired+reported, default) or per-section
  --quiet               no per-request log lines
  --faults FILE         inject faults into responses: a fault plan (JSON; also DORMOUSE_FAULTS);
                        its request rules strike at random (429, 500, 503, skewed clock, garbage,
                        truncated, never-ending, reset, slow), and simulated devices may ask for a
                        fault per request (x-dormouse-fault); see README "Faults and the chaos run"

Credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY when set, else DIR/aws_credentials.txt
(created on first start): the cloud's admin key, allowed every data-plane action.

provision writes aws_iot_cfg.txt, ca.pem and, by default, aws_credentials.txt with a NEW key of
the device's own that may only touch THING (kept in DIR/device-keys.json, mode 0600; picked up
by a running cloud at once; provisioning the thing again hands out the same key, --rotate mints
a new one and retires the old). --x509 writes cert.pem + key.pem (a client certificate from the
cloud's CA, for the --mtls-port listener) instead of a key. --shared copies the admin key
(allowed everything: any device holding it can read and change every thing).`;

type Flags = Record<string, string | true>;

const VALUE_FLAGS = ['host', 'port', 'data', 'region', 'ntp-port', 'http-port', 'mtls-port', 'durability', 'max-nesting', 'state-bytes', 'state-scope', 'rate', 'in-flight', 'out', 'faults'];
const BOOL_FLAGS = ['dhe', 'require-sni', 'strict-region', 'no-throttle', 'no-ntp', 'quiet', 'x509', 'shared', 'rotate'];

/** Split argv into positionals and `--flag value` / `--flag=value` / `--switch`. */
export function parseFlags(argv: readonly string[]): { positionals: string[]; flags: Flags } {
  const positionals: string[] = [];
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (BOOL_FLAGS.indexOf(name) >= 0) {
      if (eq >= 0) throw new CloudUsageError(`--${name} takes no value`);
      flags[name] = true;
    } else if (VALUE_FLAGS.indexOf(name) >= 0) {
      const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new CloudUsageError(`--${name} expects a value`);
      flags[name] = value;
    } else {
      throw new CloudUsageError(`unknown option --${name}`);
    }
  }
  return { positionals, flags };
}

function intFlag(flags: Flags, name: string, min: number, max: number): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new CloudUsageError(`--${name}: expected a whole number ${min}..${max}, got ${typeof v === 'string' ? JSON.stringify(v) : 'nothing'}`);
  }
  return Number(v);
}

function strFlag(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** The fault plan of `--faults FILE` or `DORMOUSE_FAULTS`, if any. */
function faultPlanOf(flags: Flags, io: Pick<CloudIo, 'env'> & { readonly cwd?: string }): FaultPlan | undefined {
  const cwd = io.cwd ?? process.cwd();
  try {
    const file = strFlag(flags, 'faults');
    return file !== undefined ? readFaultPlan(path.resolve(cwd, file)) : faultPlanFromEnv(io.env, cwd);
  } catch (e) {
    if (e instanceof FaultPlanError) throw new CloudUsageError(`--faults: ${e.message}`);
    throw e;
  }
}

/** The {@link CloudOptions} a command line asks for. */
export function cloudOptionsFromFlags(flags: Flags, io: Pick<CloudIo, 'env'> & { readonly cwd?: string }): CloudOptions {
  const durability = strFlag(flags, 'durability');
  if (durability !== undefined && durability !== 'process' && durability !== 'os') throw new CloudUsageError(`--durability: expected process or os, got ${JSON.stringify(durability)}`);
  const scope = strFlag(flags, 'state-scope');
  if (scope !== undefined && scope !== 'combined' && scope !== 'per-section') throw new CloudUsageError(`--state-scope: expected combined or per-section, got ${JSON.stringify(scope)}`);
  const limits: { maxNesting?: number; maxStateBytes?: number; stateSizeScope?: 'combined' | 'per-section' } = {};
  const nesting = intFlag(flags, 'max-nesting', 2, 1000);
  if (nesting !== undefined) limits.maxNesting = nesting;
  const bytes = intFlag(flags, 'state-bytes', 2, 100_000_000);
  if (bytes !== undefined) limits.maxStateBytes = bytes;
  if (scope !== undefined) limits.stateSizeScope = scope;
  const rate = intFlag(flags, 'rate', 1, 1_000_000);
  const inFlight = intFlag(flags, 'in-flight', 1, 1_000_000);
  const o: { -readonly [K in keyof CloudOptions]: CloudOptions[K] } = { env: io.env, limits };
  const host = strFlag(flags, 'host');
  if (host !== undefined) o.host = host;
  const port = intFlag(flags, 'port', 0, 65535);
  if (port !== undefined) o.port = port;
  const data = strFlag(flags, 'data');
  if (data !== undefined) o.dataDir = data;
  const region = strFlag(flags, 'region');
  if (region !== undefined) {
    if (!/^[a-z0-9-]+$/.test(region)) throw new CloudUsageError(`--region: expected a region like us-east-1, got ${JSON.stringify(region)}`);
    o.region = region;
  }
  if (flags['no-ntp'] === true) o.ntpPort = false;
  else {
    const ntp = intFlag(flags, 'ntp-port', 0, 65535);
    if (ntp !== undefined) o.ntpPort = ntp;
  }
  const httpPort = intFlag(flags, 'http-port', 0, 65535);
  if (httpPort !== undefined) o.httpPort = httpPort;
  const mtlsPort = intFlag(flags, 'mtls-port', 0, 65535);
  if (mtlsPort !== undefined) o.mtlsPort = mtlsPort;
  else if (flags.x509 === true) o.mtlsPort = CLOUD_DEFAULTS.mtlsPort;
  if (flags.shared === true || flags.rotate === true) throw new CloudUsageError(`--${flags.shared === true ? 'shared' : 'rotate'} is an option of provision`);
  if (flags['require-sni'] === true) o.requireSni = true;
  if (flags.dhe === true) o.dhe = true;
  if (flags['strict-region'] === true) o.regionCheck = 'strict';
  if (flags['no-throttle'] === true) o.throttle = false;
  else if (rate !== undefined || inFlight !== undefined) {
    o.throttle = { ...(rate !== undefined ? { perThingPerSecond: rate } : {}), ...(inFlight !== undefined ? { inFlightPerThing: inFlight } : {}) };
  }
  if (durability !== undefined) o.durability = durability as Durability;
  o.logRequests = flags.quiet !== true;
  const plan = faultPlanOf(flags, io);
  if (plan !== undefined) o.faults = { directives: true, plan };
  return o;
}

/** Resolves with the name of the first SIGINT/SIGTERM; `cancel` removes the listeners. */
function signals(): { readonly received: Promise<string>; cancel(): void } {
  let onInt = (): void => undefined;
  let onTerm = (): void => undefined;
  const received = new Promise<string>((resolve) => {
    onInt = () => resolve('SIGINT');
    onTerm = () => resolve('SIGTERM');
  });
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  return {
    received,
    cancel: () => {
      process.removeListener('SIGINT', onInt);
      process.removeListener('SIGTERM', onTerm);
    },
  };
}

/**
 * Run `dormouse cloud` with `argv` (after the command name); resolves with the exit code once
 * the cloud has stopped (on SIGINT/SIGTERM, or when `stop` resolves).
 */
export async function runCloudCommand(argv: readonly string[], io: CloudIo, stop?: Promise<unknown>): Promise<number> {
  const { positionals, flags } = parseFlags(argv);
  if (positionals[0] === 'provision') {
    const thing = positionals[1];
    const out = strFlag(flags, 'out');
    if (thing === undefined || positionals.length > 2) throw new CloudUsageError('provision expects one THING name');
    if (out === undefined) throw new CloudUsageError('provision expects --out DIR');
    const port = intFlag(flags, 'port', 1, 65535);
    const ntpPort = intFlag(flags, 'ntp-port', 1, 65535);
    const host = strFlag(flags, 'host');
    const region = strFlag(flags, 'region');
    const mtlsPort = intFlag(flags, 'mtls-port', 1, 65535);
    if (flags.x509 === true && flags.shared === true) throw new CloudUsageError('provision takes --x509 or --shared, not both');
    const auth = flags.x509 === true ? 'x509' : flags.shared === true ? 'shared' : 'device-key';
    const r = await provisionThing({
      auth,
      ...(flags.rotate === true ? { rotate: true } : {}),
      ...(mtlsPort !== undefined ? { mtlsPort } : {}),
      dataDir: pathIn(io.cwd, strFlag(flags, 'data') ?? CLOUD_DEFAULTS.dataDir),
      thing,
      outDir: pathIn(io.cwd, out),
      env: io.env,
      ...(host !== undefined ? { host } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(region !== undefined ? { region } : {}),
      ...(ntpPort !== undefined ? { ntpPort } : {}),
    });
    const how = r.auth === 'x509' ? `certificate ${r.certificateId ?? ''}` : `${r.reused ? 'existing ' : r.auth === 'shared' ? 'SHARED admin ' : 'new '}key ${r.keyId}`;
    io.stdout.write(`provisioned '${thing}' for ${r.endpoint} (${how}, policy ${r.policy}): ${r.files.join(', ')}\n`);
    if (r.auth === 'shared') io.stdout.write('warning: --shared gave the device the cloud\'s admin key, allowed every thing; a per-device key (the default) or --x509 limits a stolen device to itself\n');
    return 0;
  }
  if (positionals.length > 0) throw new CloudUsageError(`unexpected argument '${positionals[0]}'`);
  const options = cloudOptionsFromFlags(flags, io);
  const cloud = await startCloud({
    ...options,
    dataDir: pathIn(io.cwd, options.dataDir ?? CLOUD_DEFAULTS.dataDir),
    log: (line) => io.stdout.write(`${line}\n`),
  });
  const sig = signals();
  const why = await (stop === undefined ? sig.received : Promise.race([sig.received, stop.then(() => 'stop')]));
  sig.cancel();
  io.stdout.write(`dormouse cloud: stopping (${why})\n`);
  await cloud.close();
  return 0;
}

function pathIn(cwd: string, p: string): string {
  return path.resolve(cwd, p);
}
