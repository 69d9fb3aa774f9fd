/**
 * Where `dormouse shadow` / `dormouse publish` find the endpoint, region, credentials and CA.
 *
 * Order: flags → environment (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`,
 * `AWS_REGION`/`AWS_DEFAULT_REGION`) → the seed's files in the current directory
 * (`aws_iot_cfg.txt`, `aws_credentials.txt`, the `ca` it names or `ca.pem`) → the local cloud's
 * files (`.dormouse/cloud/cloud.json`, `aws_credentials.txt`, `ca.pem`). So with no flags in the
 * project directory the CLI talks to the local cloud that `npm start` runs.
 *
 * One exception keeps that from going wrong: when the endpoint itself comes from the local
 * cloud's `cloud.json`, its region, credentials and CA come from there too. Environment AWS keys
 * are for real AWS; the local cloud only accepts its own key (and its CA is not Amazon's).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { readCloudInfo } from '../cloud/cloud-file.js';
import { CONFIG_FILES, loadIotConfig } from '../src/config.js';
import type { IotConfig } from '../src/config.js';
import { credentialsFromEnv, parseCredentialsFile } from '../src/credentials.js';
import type { Credentials } from '../src/credentials.js';
import { parseEndpoint } from '../src/endpoint.js';
import type { Endpoint } from '../src/endpoint.js';
import { DormouseError } from '../src/errors.js';
import { ShadowClient } from '../src/shadow.js';
import { SigV4Signer } from '../src/sigv4.js';
import { nodeCrypto } from '../hal/sim/crypto.js';
import { createSimHttp } from '../hal/sim/http.js';
import type { SimHttp } from '../hal/sim/http.js';
import type { CommandIo } from './command.js';

/** SigV4 signing name of the AWS IoT data plane. */
export const IOT_SERVICE = 'iotdata';

/** Default data directory of `dormouse cloud`, relative to the current directory. */
export const DEFAULT_CLOUD_DIR = join('.dormouse', 'cloud');
/** Environment variable naming the local cloud's data directory. */
export const CLOUD_DIR_ENV = 'DORMOUSE_CLOUD_DIR';
/** The CA file looked for next to the seed config when it names none. */
const SEED_CA = 'ca.pem';

/** Flags that override the sources. */
export interface ClientFlags {
  readonly endpoint?: string;
  readonly region?: string;
  /** CA PEM file (relative to the current directory). */
  readonly ca?: string;
  /** Local cloud data directory. */
  readonly cloudDir?: string;
}

/** The flags of every command that talks to a cloud (`shadow`, `publish`), for `parseFlags`. */
export const CLIENT_OPTIONS = {
  endpoint: { type: 'string' },
  region: { type: 'string' },
  ca: { type: 'string' },
  'cloud-dir': { type: 'string' },
  timeout: { type: 'string' },
  verbose: { type: 'boolean' },
} as const;

/** The {@link ClientFlags} among parsed {@link CLIENT_OPTIONS}. */
export function clientFlags(values: { readonly endpoint?: string; readonly region?: string; readonly ca?: string; readonly 'cloud-dir'?: string }): ClientFlags {
  return { endpoint: values.endpoint, region: values.region, ca: values.ca, cloudDir: values['cloud-dir'] };
}

/** Authentication the client will use. */
export type ClientAuth = { readonly kind: 'sigv4'; readonly credentials: Credentials } | { readonly kind: 'x509' };

/** Everything a shadow/publish client needs, and where each part came from. */
export interface ClientConfig {
  /** With `tls.ca` (and client cert/key for X.509) when known. */
  readonly endpoint: Endpoint;
  readonly region: string;
  readonly auth: ClientAuth;
  /** The seed config's `thing`, when there is one (a default for commands that want one). */
  readonly thing?: string;
  /** One line per setting: `endpoint: https://h:p (from …)`. Never shows a secret. */
  readonly sources: readonly string[];
  /** The local cloud's data directory (for `shadow history`). */
  readonly cloudDir: string;
}

function display(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function readText(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** Region from an AWS IoT host name (`…iot.us-east-1.amazonaws.com`), if it is one. */
function regionOfHost(host: string): string | undefined {
  const m = /\.iot\.([a-z0-9-]+)\.amazonaws\.com$/.exec(host);
  return m ? m[1] : undefined;
}

function credentialsFromFile(file: string, shown: string): Credentials | undefined {
  const text = readText(file);
  return text === undefined ? undefined : parseCredentialsFile(text, shown);
}

function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return a.host === b.host && a.port === b.port;
}

/** Key id for display: its first 4 characters and its length (never the secret). */
function keyLabel(c: Credentials): string {
  return `key id ${c.accessKeyId.substring(0, 4)}… (${c.accessKeyId.length} chars)${c.sessionToken ? ' + session token' : ''}`;
}

/** The local cloud's data directory: `--cloud-dir`, else `DORMOUSE_CLOUD_DIR`, else `.dormouse/cloud`. */
export function resolveCloudDir(flag: string | undefined, io: Pick<CommandIo, 'env' | 'cwd'>): string {
  return resolve(io.cwd, flag ?? io.env[CLOUD_DIR_ENV] ?? DEFAULT_CLOUD_DIR);
}

/** Resolve the client configuration. Throws `ECONFIG` saying what is missing and where it looked. */
export function resolveClientConfig(flags: ClientFlags, io: Pick<CommandIo, 'env' | 'cwd'>): ClientConfig {
  const cwd = io.cwd;
  const env = io.env;
  const cloudDir = resolveCloudDir(flags.cloudDir, io);
  const sources: string[] = [];
  const at = (f: string): string => display(cwd, f);

  // The seed config in the current directory (read lazily through the device's own validation).
  const cfgFile = join(cwd, CONFIG_FILES.config);
  const seed: IotConfig | undefined = existsSync(cfgFile) ? loadIotConfig((name) => readText(join(cwd, name))) : undefined;
  const cloud = readCloudInfo(cloudDir);
  const cloudJson = at(join(cloudDir, 'cloud.json'));

  // Endpoint
  let endpoint: Endpoint;
  let from: 'flag' | 'seed' | 'cloud';
  if (flags.endpoint !== undefined) {
    endpoint = parseEndpoint(flags.endpoint, { auth: seed?.auth });
    from = 'flag';
    sources.push(`endpoint: ${endpoint.scheme}://${endpoint.host}:${endpoint.port} (from --endpoint)`);
  } else if (seed) {
    endpoint = seed.endpoint;
    from = 'seed';
    sources.push(`endpoint: ${endpoint.scheme}://${endpoint.host}:${endpoint.port} (from ${at(cfgFile)})`);
  } else if (cloud) {
    endpoint = parseEndpoint(cloud.endpoint);
    from = 'cloud';
    sources.push(`endpoint: ${endpoint.scheme}://${endpoint.host}:${endpoint.port} (from ${cloudJson}, the local cloud)`);
  } else {
    throw new DormouseError(
      'ECONFIG',
      `no endpoint: expected --endpoint HOST[:PORT], ${CONFIG_FILES.config} in ${cwd}, or a running local cloud (${cloudJson}; start it with \`npm start\` or \`dormouse cloud\`)`,
    );
  }

  // Region
  let region: string | undefined;
  const envRegion = env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || undefined;
  if (flags.region !== undefined) {
    region = flags.region;
    sources.push(`region: ${region} (from --region)`);
  } else if (from === 'cloud' && cloud) {
    region = cloud.region;
    sources.push(`region: ${region} (from ${cloudJson})`);
  } else if (envRegion) {
    region = envRegion;
    sources.push(`region: ${region} (from ${env['AWS_REGION'] ? 'AWS_REGION' : 'AWS_DEFAULT_REGION'})`);
  } else if (seed) {
    region = seed.region;
    sources.push(`region: ${region} (from ${at(cfgFile)})`);
  } else if (regionOfHost(endpoint.host)) {
    region = regionOfHost(endpoint.host) as string;
    sources.push(`region: ${region} (from the endpoint's host name)`);
  } else if (cloud) {
    region = cloud.region;
    sources.push(`region: ${region} (from ${cloudJson})`);
  }
  if (region === undefined || !/^[a-z][a-z0-9-]*[0-9]$/.test(region)) {
    throw new DormouseError('ECONFIG', `region: expected --region like us-east-1 (or AWS_REGION), got ${region === undefined ? 'nothing' : JSON.stringify(region)}`);
  }

  // CA
  let ca: string | undefined;
  let caFile: string | undefined;
  if (flags.ca !== undefined) caFile = resolve(cwd, flags.ca);
  else if (from !== 'cloud' && seed?.endpoint.tls?.ca !== undefined) {
    ca = seed.endpoint.tls.ca;
    sources.push(`ca: from the "ca" named in ${at(cfgFile)}`);
  } else if (from !== 'cloud' && existsSync(join(cwd, SEED_CA))) caFile = join(cwd, SEED_CA);
  else if (cloud && (from === 'cloud' || sameEndpoint(endpoint, parseEndpoint(cloud.endpoint)))) caFile = resolve(cloudDir, cloud.ca);
  if (caFile !== undefined) {
    ca = readText(caFile);
    if (ca === undefined) throw new DormouseError('ECONFIG', `${at(caFile)}: missing (expected the CA certificate, PEM)`);
    if (ca.indexOf('-----BEGIN CERTIFICATE-----') < 0) throw new DormouseError('ECONFIG', `${at(caFile)}: expected a PEM certificate, got none`);
    sources.push(`ca: ${at(caFile)}${flags.ca !== undefined ? ' (from --ca)' : ''}`);
  }
  if (ca === undefined) sources.push("ca: Node's default roots");

  // Credentials (or the X.509 client certificate of the seed config)
  let auth: ClientAuth;
  const tls = { ...(endpoint.tls ?? {}) } as { ca?: string; cert?: string; key?: string };
  if (ca !== undefined) tls.ca = ca;
  if (from !== 'cloud' && seed?.auth === 'x509') {
    auth = { kind: 'x509' };
    tls.cert = seed.endpoint.tls?.cert;
    tls.key = seed.endpoint.tls?.key;
    sources.push(`auth: X.509 client certificate ${CONFIG_FILES.cert} + ${CONFIG_FILES.key} (from ${at(cfgFile)})`);
  } else {
    let credentials: Credentials | undefined;
    const cloudCreds = join(cloudDir, CONFIG_FILES.credentials);
    const seedCreds = join(cwd, CONFIG_FILES.credentials);
    const fromEnv = credentialsFromEnv(env);
    if (from === 'cloud' && cloud) {
      // The local cloud accepts one key (cloud.json's keyId): its own file's, or the environment's
      // when the cloud was started with AWS_ACCESS_KEY_ID set.
      const fileCreds = credentialsFromFile(cloudCreds, at(cloudCreds));
      if (fileCreds && fileCreds.accessKeyId === cloud.keyId) {
        credentials = fileCreds;
        sources.push(`credentials: ${keyLabel(credentials)} (from ${at(cloudCreds)}${fromEnv && fromEnv.accessKeyId !== cloud.keyId ? '; AWS_ACCESS_KEY_ID ignored: the local cloud has its own key' : ''})`);
      } else if (fromEnv && fromEnv.accessKeyId === cloud.keyId) {
        credentials = fromEnv;
        sources.push(`credentials: ${keyLabel(credentials)} (from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, the local cloud's key)`);
      } else if (fileCreds) {
        credentials = fileCreds;
        sources.push(`credentials: ${keyLabel(credentials)} (from ${at(cloudCreds)}; its key id is not the one in ${cloudJson})`);
      }
    } else if (fromEnv) {
      credentials = fromEnv;
      sources.push(`credentials: ${keyLabel(credentials)} (from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)`);
    } else {
      credentials = credentialsFromFile(seedCreds, at(seedCreds));
      if (credentials) sources.push(`credentials: ${keyLabel(credentials)} (from ${at(seedCreds)})`);
      else if (cloud) {
        credentials = credentialsFromFile(cloudCreds, at(cloudCreds));
        if (credentials) sources.push(`credentials: ${keyLabel(credentials)} (from ${at(cloudCreds)})`);
      }
    }
    if (!credentials) {
      throw new DormouseError(
        'ECONFIG',
        `no credentials: expected AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ${CONFIG_FILES.credentials} in ${cwd}${cloud ? `, or ${at(cloudCreds)}` : ''}`,
      );
    }
    auth = { kind: 'sigv4', credentials };
  }
  const hasTls = tls.ca !== undefined || tls.cert !== undefined || tls.key !== undefined;
  const finalEndpoint: Endpoint = hasTls
    ? { scheme: endpoint.scheme, host: endpoint.host, port: endpoint.port, tls }
    : { scheme: endpoint.scheme, host: endpoint.host, port: endpoint.port };
  const out: ClientConfig = { endpoint: finalEndpoint, region, auth, sources, cloudDir };
  return seed?.thing !== undefined && from !== 'cloud' ? { ...out, thing: seed.thing } : out;
}

/** A shadow/publish client for `config` over the simulator's HTTP stack; close `http` when done. */
export function createClient(config: ClientConfig, timeoutMs: number): { client: ShadowClient; http: SimHttp } {
  const crypto = nodeCrypto();
  const http = createSimHttp();
  const a = config.auth;
  const auth =
    a.kind === 'sigv4'
      ? ({ kind: 'sigv4', signer: new SigV4Signer({ crypto, region: config.region, service: IOT_SERVICE, credentials: a.credentials }) } as const)
      : ({ kind: 'x509' } as const);
  const client = new ShadowClient({ http, endpoint: config.endpoint, auth, clock: { now: () => Date.now() }, timeoutMs, crypto });
  return { client, http };
}
