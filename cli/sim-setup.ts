/**
 * Getting a simulated device's directory ready: its config files come from `--config` (the
 * seed's files, for the local cloud or real AWS alike), from the local cloud (provisioned, and
 * refreshed on every start since the cloud may have moved to another port), or are already
 * there (a directory the user filled). Shared by `dormouse sim` and `dormouse start`.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { readCloudInfo } from '../cloud/cloud-file.js';
import { provisionThing } from '../cloud/provision.js';
import { CONFIG_FILES, loadDeviceConfig } from '../src/config.js';
import { DormouseError } from '../src/errors.js';

/** Where the simulator keeps device directories, relative to the working directory. */
export const DEVICES_DIR = join('.dormouse', 'devices');

/** Options of {@link prepareDeviceDir}. */
export interface PrepareOptions {
  readonly dir: string;
  /** The thing this device is (written into the config when it comes from `--config` or the cloud). */
  readonly thing: string;
  /** True when the thing name must override the one in `--config` (a fleet, or `--thing` given). */
  readonly forceThing: boolean;
  /** `aws_iot_cfg.txt` to use, with its credentials and CA next to it. */
  readonly configFile?: string;
  /** The local cloud's data directory. */
  readonly cloudDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** What {@link prepareDeviceDir} did. */
export interface PreparedDevice {
  readonly dir: string;
  readonly thing: string;
  /** One phrase: where the config came from. */
  readonly source: string;
  /** The endpoint the device talks to (`host:port`) and its SNTP server. */
  readonly endpoint: string;
  readonly ntp: string;
}

function readIfExists(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

function parseCfg(file: string): Record<string, unknown> {
  const text = readIfExists(file);
  if (text === undefined) throw new DormouseError('ECONFIG', `${file}: missing (expected the device config, {"region": ..., "endpoint" or "endpt_prefix": ...})`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    v = undefined;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new DormouseError('ECONFIG', `${file}: expected a JSON object, got text that is not one`);
  return v as Record<string, unknown>;
}

/** Copy the seed files next to `configFile` into `dir`; the config with `thing` set when forced. */
function copyConfig(configFile: string, o: PrepareOptions): void {
  const from = dirname(resolve(configFile));
  const cfg = parseCfg(resolve(configFile));
  if (o.forceThing || cfg['thing'] === undefined) cfg['thing'] = o.thing;
  writeFileSync(join(o.dir, CONFIG_FILES.config), `${JSON.stringify(cfg)}\n`);
  const names = [CONFIG_FILES.credentials, CONFIG_FILES.cert, CONFIG_FILES.key];
  if (typeof cfg['ca'] === 'string') names.push(basename(cfg['ca']));
  for (const n of names) {
    const src = join(from, n);
    if (existsSync(src)) copyFileSync(src, join(o.dir, n));
  }
}

/** True when the directory's config was provisioned from the local cloud in `cloudDir` (its CA is the cloud's). */
function fromLocalCloud(dir: string, cloudDir: string): boolean {
  const cloudCa = readIfExists(join(cloudDir, 'ca.pem'));
  const ca = readIfExists(join(dir, 'ca.pem'));
  return cloudCa !== undefined && ca !== undefined && cloudCa === ca;
}

/** Make `o.dir` a device directory that can boot; throws `ECONFIG` saying what is missing. */
export async function prepareDeviceDir(o: PrepareOptions): Promise<PreparedDevice> {
  mkdirSync(o.dir, { recursive: true });
  const cfgFile = join(o.dir, CONFIG_FILES.config);
  let source: string;
  if (o.configFile !== undefined) {
    copyConfig(o.configFile, o);
    source = `config from ${o.configFile}`;
  } else if (existsSync(cfgFile) && !fromLocalCloud(o.dir, o.cloudDir)) {
    source = `config already in ${o.dir}`;
  } else {
    const info = readCloudInfo(o.cloudDir);
    if (info === undefined) {
      throw new DormouseError(
        'ECONFIG',
        `${o.dir}: no device config, and no running local cloud to provision one from (expected ${join(o.cloudDir, 'cloud.json')}; start one with \`npm start\` or \`dormouse cloud\`, or pass --config aws_iot_cfg.txt)`,
      );
    }
    await provisionThing({ dataDir: o.cloudDir, thing: o.thing, outDir: o.dir, env: o.env });
    source = `provisioned from the local cloud at ${info.endpoint}`;
  }
  // Fail now, clearly, rather than at every wake.
  const config = loadDeviceConfig((name) => readIfExists(join(o.dir, name)));
  const thing = config.thing ?? o.thing;
  return { dir: o.dir, thing, source, endpoint: `${config.endpoint.host}:${config.endpoint.port}`, ntp: `${config.ntp.host}:${config.ntp.port}` };
}

/** Parse a duration like `2h`, `-90s`, `1500ms`, `5m` into milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^([+-]?\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (text.trim() === '0') return 0;
  if (!m) throw new DormouseError('EINVALID', `${flag}: expected a duration like 2h, -90s, 1500ms, got ${JSON.stringify(text)}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}
