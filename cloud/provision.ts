/**
 * `dormouse cloud provision THING --out DIR2`: the files a device needs to talk to the local
 * cloud, in the seed's formats: `aws_credentials.txt`, `aws_iot_cfg.txt` (endpoint, region,
 * thing, CA, SNTP server) and `ca.pem`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DormouseError } from '../src/errors.js';
import { loadOrCreateTls } from './certs.js';
import { readCloudInfo } from './cloud-file.js';
import { CREDENTIALS_FILE, resolveCredentials, writeCredentialsFile } from './keystore.js';
import { CLOUD_DEFAULTS } from './options.js';
import { nameProblem } from './router.js';

/** Options of {@link provisionThing}. */
export interface ProvisionOptions {
  /** The cloud's data directory. */
  readonly dataDir: string;
  readonly thing: string;
  /** Where the device files go (created). */
  readonly outDir: string;
  /** Used when no `cloud.json` says where the cloud runs. */
  readonly host?: string;
  readonly port?: number;
  readonly region?: string;
  readonly ntpPort?: number;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** What was written. */
export interface ProvisionResult {
  readonly files: readonly string[];
  readonly endpoint: string;
  readonly keyId: string;
}

/** The name of the device config file (seed format). */
export const DEVICE_CONFIG_FILE = 'aws_iot_cfg.txt';

/** Write the device files for `thing` into `outDir`. */
export async function provisionThing(o: ProvisionOptions): Promise<ProvisionResult> {
  const problem = nameProblem('thing', o.thing);
  if (problem !== undefined) throw new DormouseError('EINVALID', `thing name: expected 1..128 of [a-zA-Z0-9:_-], got '${o.thing}'`);
  const info = readCloudInfo(o.dataDir);
  const host = o.host ?? CLOUD_DEFAULTS.host;
  const region = info?.region ?? o.region ?? CLOUD_DEFAULTS.region;
  const endpoint = info?.endpoint ?? `${host === '0.0.0.0' ? '127.0.0.1' : host}:${o.port ?? CLOUD_DEFAULTS.port}`;
  const ntpPort = info !== undefined ? info.ntpPort : o.ntpPort ?? CLOUD_DEFAULTS.ntpPort;
  const tls = await loadOrCreateTls(o.dataDir, host, region);
  const { credentials } = resolveCredentials(o.dataDir, o.env ?? process.env);
  fs.mkdirSync(o.outDir, { recursive: true });
  const cfg: Record<string, string> = { region, endpoint, thing: o.thing, ca: 'ca.pem', auth: 'sigv4' };
  if (ntpPort !== undefined) cfg.ntp = `${endpoint.slice(0, endpoint.lastIndexOf(':'))}:${ntpPort}`;
  const files = [path.join(o.outDir, CREDENTIALS_FILE), path.join(o.outDir, DEVICE_CONFIG_FILE), path.join(o.outDir, 'ca.pem')];
  writeCredentialsFile(files[0] as string, credentials);
  fs.writeFileSync(files[1] as string, `${JSON.stringify(cfg)}\n`);
  fs.writeFileSync(files[2] as string, tls.caPem);
  return { files, endpoint, keyId: credentials.accessKeyId };
}
