/**
 * `dormouse cloud provision THING --out DIR2`: the files a device needs to talk to the local
 * cloud, in the seed's formats. By default a NEW key pair of the device's own, whose policy
 * allows only that thing (its shadows, its list of named shadows, its `dt/THING/…` and
 * `$aws/things/THING/shadow/…` topics), registered in the cloud's `device-keys.json`. With
 * `--x509` a client certificate from the cloud's CA instead (mutual TLS, no key); with
 * `--shared` a copy of the cloud's own admin key, allowed everything (the old behaviour: see
 * README "Security" for why that is worse).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Credentials } from '../src/credentials.js';
import { DormouseError } from '../src/errors.js';
import { CERT_FILES, loadOrCreateTls } from './certs.js';
import { readCloudInfo } from './cloud-file.js';
import { issueDeviceCert } from './device-certs.js';
import {
  CREDENTIALS_FILE,
  deviceCertEntry,
  deviceKeyEntry,
  generateCredentials,
  readDeviceKeys,
  resolveCredentials,
  updateDeviceKeys,
  writeCredentialsFile,
  writePrivateFile,
} from './keystore.js';
import { CLOUD_DEFAULTS } from './options.js';
import { connectionThingPolicy, thingPolicy } from './policy.js';
import { nameProblem } from './router.js';

/** How the provisioned device authenticates. */
export type ProvisionAuth =
  /** A key pair of its own, limited to its thing (default). */
  | 'device-key'
  /** A copy of the cloud's admin key, allowed everything (`--shared`). */
  | 'shared'
  /** A client certificate for the mutual-TLS listener, limited to its thing (`--x509`). */
  | 'x509';

/** Options of {@link provisionThing}. */
export interface ProvisionOptions {
  /** The cloud's data directory. */
  readonly dataDir: string;
  readonly thing: string;
  /** Where the device files go (created). */
  readonly outDir: string;
  /** Default `device-key`. */
  readonly auth?: ProvisionAuth;
  /** Mint a new device key even if the thing has one (the old one stops working). */
  readonly rotate?: boolean;
  /** Used when no `cloud.json` says where the cloud runs. */
  readonly host?: string;
  readonly port?: number;
  /** Mutual-TLS port for `x509` when no `cloud.json` gives one. */
  readonly mtlsPort?: number;
  readonly region?: string;
  readonly account?: string;
  readonly ntpPort?: number;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** What was written. */
export interface ProvisionResult {
  readonly files: readonly string[];
  readonly endpoint: string;
  readonly auth: ProvisionAuth;
  /** The access key id (`device-key`, `shared`), or `cert:<first 16 hex of the certificate id>`. */
  readonly keyId: string;
  /** AWS's certificate id (`x509`). */
  readonly certificateId?: string;
  /** Name of the policy that governs the device. */
  readonly policy: string;
  /** True when the thing's existing device key was handed out again (no new key minted). */
  readonly reused: boolean;
}

/** The name of the device config file (seed format). */
export const DEVICE_CONFIG_FILE = 'aws_iot_cfg.txt';

/** Prefix of device key ids (the admin key's is `AKIDLOCAL`). */
export const DEVICE_KEY_PREFIX = 'AKIDDEVICE';

/** The thing's device key from the registry, or a new one registered there. */
function deviceKey(o: ProvisionOptions, region: string, account: string): { credentials: Credentials; reused: boolean; policy: string } {
  const policy = thingPolicy({ region, account }, o.thing);
  if (o.rotate !== true) {
    const existing = readDeviceKeys(o.dataDir).keys.find((k) => k.thing === o.thing && k.policyName === policy.name);
    if (existing !== undefined) {
      // Keep its policy current (region/account may have changed since); rewrite only then.
      const entry = deviceKeyEntry({ accessKeyId: existing.akey, secretAccessKey: existing.skey }, o.thing, policy, Date.parse(existing.created) || Date.now());
      if (JSON.stringify(entry.policy) !== JSON.stringify(existing.policy)) {
        updateDeviceKeys(o.dataDir, (f) => ({ ...f, keys: f.keys.map((k) => (k.akey === existing.akey ? entry : k)) }));
      }
      return { credentials: { accessKeyId: existing.akey, secretAccessKey: existing.skey }, reused: true, policy: policy.name };
    }
  }
  const fresh = generateCredentials(DEVICE_KEY_PREFIX);
  updateDeviceKeys(o.dataDir, (f) => ({ ...f, keys: [...f.keys.filter((k) => k.thing !== o.thing), deviceKeyEntry(fresh, o.thing, policy, Date.now())] }));
  return { credentials: fresh, reused: false, policy: policy.name };
}

/** Write the device files for `thing` into `outDir`. */
export async function provisionThing(o: ProvisionOptions): Promise<ProvisionResult> {
  const problem = nameProblem('thing', o.thing);
  if (problem !== undefined) throw new DormouseError('EINVALID', `thing name: expected 1..128 of [a-zA-Z0-9:_-], got '${o.thing}'`);
  const auth = o.auth ?? 'device-key';
  const info = readCloudInfo(o.dataDir);
  const host = o.host ?? CLOUD_DEFAULTS.host;
  const hostForUrl = host === '0.0.0.0' ? '127.0.0.1' : host;
  const region = info?.region ?? o.region ?? CLOUD_DEFAULTS.region;
  const account = info?.account ?? o.account ?? CLOUD_DEFAULTS.account;
  const httpsEndpoint = info?.endpoint ?? `${hostForUrl}:${o.port ?? CLOUD_DEFAULTS.port}`;
  const endpoint = auth === 'x509' ? info?.mtlsEndpoint ?? `${info !== undefined ? info.endpoint.slice(0, info.endpoint.lastIndexOf(':')) : hostForUrl}:${o.mtlsPort ?? CLOUD_DEFAULTS.mtlsPort}` : httpsEndpoint;
  const ntpPort = info !== undefined ? info.ntpPort : o.ntpPort ?? CLOUD_DEFAULTS.ntpPort;
  const tls = await loadOrCreateTls(o.dataDir, host, region);
  fs.mkdirSync(o.outDir, { recursive: true });
  const cfg: Record<string, string> = { region, endpoint, thing: o.thing, ca: 'ca.pem', auth: auth === 'x509' ? 'x509' : 'sigv4' };
  if (ntpPort !== undefined) cfg.ntp = `${endpoint.slice(0, endpoint.lastIndexOf(':'))}:${ntpPort}`;
  const out = (name: string): string => path.join(o.outDir, name);
  const files: string[] = [];
  let keyId: string;
  let policy: string;
  let reused = false;
  let certificateId: string | undefined;
  if (auth === 'x509') {
    const cert = await issueDeviceCert(o.dataDir, o.thing);
    const p = connectionThingPolicy({ region, account });
    updateDeviceKeys(o.dataDir, (f) => ({ ...f, certs: [...f.certs, deviceCertEntry(cert.certificateId, o.thing, p, Date.now())] }));
    fs.writeFileSync(out('cert.pem'), cert.certPem);
    writePrivateFile(out('key.pem'), cert.keyPem);
    files.push(out('cert.pem'), out('key.pem'));
    certificateId = cert.certificateId;
    keyId = `cert:${cert.certificateId.substring(0, 16)}`;
    policy = p.name;
  } else {
    let credentials: Credentials;
    if (auth === 'shared') {
      credentials = resolveCredentials(o.dataDir, o.env ?? process.env).credentials;
      policy = 'AWSIoTDataAccess';
    } else {
      const k = deviceKey(o, region, account);
      credentials = k.credentials;
      reused = k.reused;
      policy = k.policy;
    }
    writeCredentialsFile(out(CREDENTIALS_FILE), credentials);
    files.push(out(CREDENTIALS_FILE));
    keyId = credentials.accessKeyId;
  }
  fs.writeFileSync(out(DEVICE_CONFIG_FILE), `${JSON.stringify(cfg)}\n`);
  fs.writeFileSync(out(CERT_FILES.ca), tls.caPem);
  files.push(out(DEVICE_CONFIG_FILE), out(CERT_FILES.ca));
  return { files, endpoint, auth, keyId, policy, reused, ...(certificateId !== undefined ? { certificateId } : {}) };
}
