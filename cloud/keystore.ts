/**
 * The keys the cloud accepts. One key today; a `KeyStore` is the seam where per-key access
 * policies go later (a looked-up key can carry its policy), without touching the verifier.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { credentialsFromEnv, parseCredentialsFile } from '../src/credentials.js';
import type { Credentials } from '../src/credentials.js';

/** One key the cloud knows. */
export interface KeyRecord {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** When set, requests signed with this key must carry this `X-Amz-Security-Token`. */
  readonly sessionToken?: string;
}

/** Looks up signing keys by access key id. */
export interface KeyStore {
  find(accessKeyId: string): KeyRecord | undefined;
  /** Every key id, for the start-up line and `cloud.json`. */
  ids(): readonly string[];
}

/** A store holding exactly one key. */
export function singleKeyStore(credentials: Credentials): KeyStore {
  const record: KeyRecord = credentials.sessionToken === undefined
    ? { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey }
    : { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken };
  return {
    find: (id) => (id === record.accessKeyId ? record : undefined),
    ids: () => [record.accessKeyId],
  };
}

/** Name of the credentials file, in the seed's format `{"akey":"…","skey":"…"}`. */
export const CREDENTIALS_FILE = 'aws_credentials.txt';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SECRET_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function randomText(alphabet: string, n: number): string {
  const bytes = randomBytes(n);
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet.charAt((bytes[i] as number) % alphabet.length);
  return out;
}

/** A fresh local key pair: a 20-character id starting `AKIDLOCAL` and a 40-character secret. */
export function generateCredentials(): Credentials {
  return { accessKeyId: `AKIDLOCAL${randomText(ALNUM, 11)}`, secretAccessKey: randomText(SECRET_CHARS, 40) };
}

/** Text of a credentials file in the seed's format. */
export function credentialsFileText(c: Credentials): string {
  const o: Record<string, string> = { akey: c.accessKeyId, skey: c.secretAccessKey };
  if (c.sessionToken !== undefined) o.token = c.sessionToken;
  return `${JSON.stringify(o)}\n`;
}

/** Write a credentials file readable by its owner only. */
export function writeCredentialsFile(file: string, c: Credentials): void {
  fs.writeFileSync(file, credentialsFileText(c), { mode: 0o600 });
  fs.chmodSync(file, 0o600);
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
