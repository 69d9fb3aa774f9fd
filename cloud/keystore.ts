/**
 * The principals the cloud accepts, each with its access policy: the cloud's own (admin) key,
 * allowed every data-plane action like AWS's `AWSIoTDataAccess`; per-device keys and X.509
 * certificates minted by `dormouse cloud provision`, each limited to its thing, kept in
 * `DIR/device-keys.json` (mode 0600). A running cloud re-reads that file when it meets a key id
 * or certificate it does not know, so devices provisioned while it runs are accepted at once.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { credentialsFromEnv, parseCredentialsFile } from '../src/credentials.js';
import type { Credentials } from '../src/credentials.js';
import { DormouseError } from '../src/errors.js';
import { DATA_ACCESS_POLICY, parsePolicy, policyDocument } from './policy.js';
import type { Policy } from './policy.js';

/** One key the cloud knows. */
export interface KeyRecord {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** When set, requests signed with this key must carry this `X-Amz-Security-Token`. */
  readonly sessionToken?: string;
  /** What the key may do. */
  readonly policy: Policy;
  /** The thing a device key was minted for (informational; the policy is what limits it). */
  readonly thing?: string;
}

/** One device certificate the registry knows (`dormouse cloud provision --x509`). */
export interface CertRecord {
  /** AWS's certificate id: hex SHA-256 of the DER certificate, lower case. */
  readonly certificateId: string;
  /** The thing the certificate is attached to: `${iot:Connection.Thing.ThingName}`. */
  readonly thing: string;
  readonly policy: Policy;
}

/** Looks up signing keys by access key id, and device certificates by id. */
export interface KeyStore {
  find(accessKeyId: string): KeyRecord | undefined;
  /** A registered certificate, or undefined (an unknown certificate is refused). */
  findCert(certificateId: string): CertRecord | undefined;
  /** Every key id, for the start-up line and `cloud.json`. */
  ids(): readonly string[];
}

function keyRecord(credentials: Credentials, policy: Policy): KeyRecord {
  return credentials.sessionToken === undefined
    ? { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, policy }
    : { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken, policy };
}

/** A store holding exactly one key (allowed everything unless a policy is given), no certificates. */
export function singleKeyStore(credentials: Credentials, policy: Policy = DATA_ACCESS_POLICY): KeyStore {
  const record = keyRecord(credentials, policy);
  return {
    find: (id) => (id === record.accessKeyId ? record : undefined),
    findCert: () => undefined,
    ids: () => [record.accessKeyId],
  };
}

/** Name of the credentials file, in the seed's format `{"akey":"…","skey":"…"}`. */
export const CREDENTIALS_FILE = 'aws_credentials.txt';

/** Name of the per-device key and certificate registry in the data directory. */
export const DEVICE_KEYS_FILE = 'device-keys.json';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SECRET_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** `n` characters of `alphabet`, unbiased (rejection sampling over random bytes). */
function randomText(alphabet: string, n: number): string {
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < n) {
    const bytes = randomBytes(n * 2);
    for (let i = 0; i < bytes.length && out.length < n; i++) {
      const b = bytes[i] as number;
      if (b < limit) out += alphabet.charAt(b % alphabet.length);
    }
  }
  return out;
}

/** A fresh local key pair: a 20-character id starting `AKIDLOCAL` and a 40-character secret. */
export function generateCredentials(prefix = 'AKIDLOCAL'): Credentials {
  return { accessKeyId: `${prefix}${randomText(ALNUM, 20 - prefix.length)}`, secretAccessKey: randomText(SECRET_CHARS, 40) };
}

/** Text of a credentials file in the seed's format. */
export function credentialsFileText(c: Credentials): string {
  const o: Record<string, string> = { akey: c.accessKeyId, skey: c.secretAccessKey };
  if (c.sessionToken !== undefined) o.token = c.sessionToken;
  return `${JSON.stringify(o)}\n`;
}

/** Write a file readable by its owner only (atomically: temporary file, then rename). */
export function writePrivateFile(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

/** Write a credentials file readable by its owner only. */
export function writeCredentialsFile(file: string, c: Credentials): void {
  writePrivateFile(file, credentialsFileText(c));
}

/** Where the cloud's key came from, for the start-up line. */
export type CredentialSource = 'options' | 'environment' | 'file' | 'generated';

/**
 * The cloud's key: given explicitly, else `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` from the
 * environment, else `DIR/aws_credentials.txt`, else a new pair written there (mode 0600).
 */
export function resolveCredentials(
  dir: string,
  env: Readonly<Record<string, string | undefined>>,
  given?: Credentials,
): { credentials: Credentials; source: CredentialSource } {
  if (given) return { credentials: given, source: 'options' };
  const fromEnv = credentialsFromEnv(env);
  if (fromEnv !== undefined) return { credentials: fromEnv, source: 'environment' };
  const file = path.join(dir, CREDENTIALS_FILE);
  if (fs.existsSync(file)) return { credentials: parseCredentialsFile(fs.readFileSync(file, 'utf8'), file), source: 'file' };
  const fresh = generateCredentials();
  fs.mkdirSync(dir, { recursive: true });
  writeCredentialsFile(file, fresh);
  return { credentials: fresh, source: 'generated' };
}

// ------------------------------------------------------------------------------------------
// The device key file

/** A device key as the file keeps it. */
export interface DeviceKeyEntry {
  readonly akey: string;
  readonly skey: string;
  readonly thing: string;
  readonly policyName: string;
  readonly policy: unknown;
  readonly created: string;
}

/** A device certificate as the file keeps it. */
export interface DeviceCertEntry {
  readonly certificateId: string;
  readonly thing: string;
  readonly policyName: string;
  readonly policy: unknown;
  readonly created: string;
}

/** The whole file: `{"version":1,"keys":[…],"certs":[…]}`. */
export interface DeviceKeysFile {
  readonly version: 1;
  readonly keys: readonly DeviceKeyEntry[];
  readonly certs: readonly DeviceCertEntry[];
}

const EMPTY: DeviceKeysFile = { version: 1, keys: [], certs: [] };

/** Parsed files by path, with the stat stamp they were parsed at (a fleet provisions hundreds in a row). */
const parsed = new Map<string, { stamp: string; value: DeviceKeysFile }>();

function stampOf(file: string): string | undefined {
  try {
    const st = fs.statSync(file);
    return `${st.mtimeMs}:${st.size}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * Read `DIR/device-keys.json`; an absent file is an empty registry. Throws `ECONFIG` naming the
 * file and entry (never a secret) when it is malformed.
 */
export function readDeviceKeys(dir: string): DeviceKeysFile {
  const file = path.join(dir, DEVICE_KEYS_FILE);
  const stamp = stampOf(file);
  if (stamp === undefined) return EMPTY;
  const cached = parsed.get(file);
  if (cached !== undefined && cached.stamp === stamp) return cached.value;
  const value = parseDeviceKeys(file);
  parsed.set(file, { stamp, value });
  return value;
}

function parseDeviceKeys(file: string): DeviceKeysFile {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new DormouseError('ECONFIG', `${file}: expected JSON written by dormouse cloud provision, got text that does not parse`);
  }
  const o = (doc ?? {}) as Partial<DeviceKeysFile>;
  if (!Array.isArray(o.keys) || !Array.isArray(o.certs)) throw new DormouseError('ECONFIG', `${file}: expected {"version":1,"keys":[...],"certs":[...]}`);
  o.keys.forEach((k, i) => {
    if (k === null || typeof k !== 'object' || typeof k.akey !== 'string' || typeof k.skey !== 'string' || k.skey === '' || typeof k.thing !== 'string' || typeof k.policyName !== 'string') {
      throw new DormouseError('ECONFIG', `${file}: keys[${i}]: expected akey, skey, thing, policyName (strings) and policy`);
    }
  });
  o.certs.forEach((c, i) => {
    if (c === null || typeof c !== 'object' || typeof c.certificateId !== 'string' || !/^[0-9a-f]{64}$/.test(c.certificateId) || typeof c.thing !== 'string' || typeof c.policyName !== 'string') {
      throw new DormouseError('ECONFIG', `${file}: certs[${i}]: expected certificateId (64 hex), thing, policyName (strings) and policy`);
    }
  });
  return { version: 1, keys: o.keys, certs: o.certs };
}

/** Serialize concurrent read-modify-write of the file across processes (a lock file, 10 s stale). */
function withLock<T>(dir: string, fn: () => T): T {
  const lock = path.join(dir, `${DEVICE_KEYS_FILE}.lock`);
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx', mode: 0o600 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let stale = false;
      try {
        stale = Date.now() - fs.statSync(lock).mtimeMs > 10_000;
      } catch {
        continue;
      }
      if (stale) fs.rmSync(lock, { force: true });
      else if (Date.now() > deadline) throw new DormouseError('ECONFIG', `${lock}: another provision holds the lock; remove the file if no provision runs`);
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/** Change the registry atomically (locked read, change, mode-0600 write). */
export function updateDeviceKeys(dir: string, change: (current: DeviceKeysFile) => DeviceKeysFile): DeviceKeysFile {
  fs.mkdirSync(dir, { recursive: true });
  return withLock(dir, () => {
    const next = change(readDeviceKeys(dir));
    // One entry per line: readable, diffable, and fast to write for a fleet.
    const list = (xs: readonly unknown[]): string => (xs.length === 0 ? '[]' : `[\n${xs.map((x) => `  ${JSON.stringify(x)}`).join(',\n')}\n]`);
    const file = path.join(dir, DEVICE_KEYS_FILE);
    writePrivateFile(file, `{"version":1,\n"keys":${list(next.keys)},\n"certs":${list(next.certs)}}\n`);
    const stamp = stampOf(file);
    if (stamp !== undefined) parsed.set(file, { stamp, value: next });
    return next;
  });
}

/** A device key entry for the file. */
export function deviceKeyEntry(c: Credentials, thing: string, policy: Policy, now: number): DeviceKeyEntry {
  return { akey: c.accessKeyId, skey: c.secretAccessKey, thing, policyName: policy.name, policy: policyDocument(policy), created: new Date(now).toISOString() };
}

/** A device certificate entry for the file. */
export function deviceCertEntry(certificateId: string, thing: string, policy: Policy, now: number): DeviceCertEntry {
  return { certificateId, thing, policyName: policy.name, policy: policyDocument(policy), created: new Date(now).toISOString() };
}

/** Options of {@link cloudKeyStore}. */
export interface CloudKeyStoreOptions {
  /** The data directory holding `device-keys.json`. */
  readonly dir: string;
  /** The admin key and its policy (default: allowed everything). */
  readonly admin: Credentials;
  readonly adminPolicy?: Policy;
  /** More keys given in-process (tests, embedders). */
  readonly extra?: readonly KeyRecord[];
  /** Told when the file cannot be read (the previous contents stay in force). */
  readonly log?: (line: string) => void;
}

/**
 * The running cloud's store: the admin key, in-process extras, and the device key file, re-read
 * when a lookup misses and the file changed since it was last read (a stat per miss, no more).
 */
export function cloudKeyStore(o: CloudKeyStoreOptions): KeyStore & { reload(): void } {
  const fixed = new Map<string, KeyRecord>();
  fixed.set(o.admin.accessKeyId, keyRecord(o.admin, o.adminPolicy ?? DATA_ACCESS_POLICY));
  for (const k of o.extra ?? []) fixed.set(k.accessKeyId, k);
  let keys = new Map<string, KeyRecord>();
  let certs = new Map<string, CertRecord>();
  let seen = '';
  let checkedAt = 0;
  const file = path.join(o.dir, DEVICE_KEYS_FILE);

  const reload = (): void => {
    checkedAt = Date.now();
    const stamp = stampOf(file) ?? 'absent';
    if (stamp === seen) return;
    try {
      const f = readDeviceKeys(o.dir);
      const nextKeys = new Map<string, KeyRecord>();
      for (const k of f.keys) nextKeys.set(k.akey, { accessKeyId: k.akey, secretAccessKey: k.skey, thing: k.thing, policy: parsePolicy(k.policyName, k.policy) });
      const nextCerts = new Map<string, CertRecord>();
      for (const c of f.certs) nextCerts.set(c.certificateId, { certificateId: c.certificateId, thing: c.thing, policy: parsePolicy(c.policyName, c.policy) });
      keys = nextKeys;
      certs = nextCerts;
      seen = stamp;
    } catch (e) {
      o.log?.(`keys: ${e instanceof Error ? e.message : String(e)}; keeping the keys read before`);
      seen = stamp;
    }
  };
  // A hit re-checks the file at most once a second, so a key removed from it stops working soon.
  const fresh = (): void => {
    if (Date.now() - checkedAt > 1000) reload();
  };
  reload();
  return {
    find: (id) => {
      const admin = fixed.get(id);
      if (admin !== undefined) return admin;
      fresh();
      if (!keys.has(id)) reload();
      return keys.get(id);
    },
    findCert: (id) => {
      fresh();
      if (!certs.has(id)) reload();
      return certs.get(id);
    },
    ids: () => [...fixed.keys(), ...keys.keys()],
    reload,
  };
}
