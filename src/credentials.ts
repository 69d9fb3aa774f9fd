/**
 * AWS credentials: the type the signer takes, and strict readers for where they come from
 * (the seed's `aws_credentials.txt`, the usual environment variables). No message ever contains
 * a secret: a bad secret or token is described by its type and length only.
 */
import { DormouseError } from './errors.js';
import { isPlainObject } from './json.js';

/** IAM credentials for SigV4; `sessionToken` only for temporary (STS) credentials. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Characters an access key id may not hold: they would break the `Credential=` part. */
const ACCESS_KEY_FORBIDDEN = /[\s\/,=]/;

/**
 * How a credential value is shown in a message: its type and length, never the value (even the
 * access key: a file with the fields swapped would otherwise print the secret).
 */
function describeSecret(v: unknown): string {
  if (typeof v === 'string') return `a string of ${v.length} character${v.length === 1 ? '' : 's'}`;
  if (v === null) return 'null';
  if (v instanceof Array) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function checkAccessKey(where: string, v: unknown): string {
  if (typeof v !== 'string' || v === '' || ACCESS_KEY_FORBIDDEN.test(v)) {
    throw new DormouseError(
      'ECONFIG',
      `${where}: expected a non-empty string without spaces, '/', ',' or '=', got ${describeSecret(v)}${typeof v === 'string' && v !== '' ? ' holding one of them' : ''}`,
    );
  }
  return v;
}

function checkSecret(where: string, v: unknown): string {
  if (typeof v !== 'string' || v === '') {
    throw new DormouseError('ECONFIG', `${where}: expected a non-empty string, got ${describeSecret(v)}`);
  }
  return v;
}

/**
 * Parse the seed-format credentials file `{"akey": "...", "skey": "...", "token": "..."}`
 * (`token` optional; `null` counts as absent). Types are checked after `JSON.parse` (which is
 * lenient on Espruino); other fields are ignored. Throws `ECONFIG` naming file and field.
 */
export function parseCredentialsFile(text: string, file = 'aws_credentials.txt'): Credentials {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (_e) {
    // The parser's message may quote the text, and the text holds the secret: never pass it on.
    throw new DormouseError('ECONFIG', `${file}: expected JSON like {"akey": "...", "skey": "..."}, got text that is not JSON (${typeof text === 'string' ? text.length : 0} characters)`);
  }
  if (!isPlainObject(doc)) {
    throw new DormouseError('ECONFIG', `${file}: expected a JSON object like {"akey": "...", "skey": "..."}, got ${describeSecret(doc)}`);
  }
  const accessKeyId = checkAccessKey(`${file}: field "akey"`, doc['akey']);
  const secretAccessKey = checkSecret(`${file}: field "skey"`, doc['skey']);
  const token = doc['token'];
  if (token === undefined || token === null) return { accessKeyId, secretAccessKey };
  return { accessKeyId, secretAccessKey, sessionToken: checkSecret(`${file}: field "token"`, token) };
}

/** The environment variables {@link credentialsFromEnv} reads. */
export const CREDENTIAL_ENV = {
  accessKeyId: 'AWS_ACCESS_KEY_ID',
  secretAccessKey: 'AWS_SECRET_ACCESS_KEY',
  sessionToken: 'AWS_SESSION_TOKEN',
} as const;

/**
 * Credentials from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`), or
 * `undefined` when neither key is set. One without the other throws `ECONFIG`.
 */
export function credentialsFromEnv(env: Readonly<Record<string, string | undefined>>): Credentials | undefined {
  const akey = env[CREDENTIAL_ENV.accessKeyId];
  const skey = env[CREDENTIAL_ENV.secretAccessKey];
  const token = env[CREDENTIAL_ENV.sessionToken];
  const hasA = akey !== undefined && akey !== '';
  const hasS = skey !== undefined && skey !== '';
  if (!hasA && !hasS) return undefined;
  if (!hasS) {
    throw new DormouseError('ECONFIG', `environment: ${CREDENTIAL_ENV.accessKeyId} is set, expected ${CREDENTIAL_ENV.secretAccessKey} too, got nothing`);
  }
  if (!hasA) {
    throw new DormouseError('ECONFIG', `environment: ${CREDENTIAL_ENV.secretAccessKey} is set, expected ${CREDENTIAL_ENV.accessKeyId} too, got nothing`);
  }
  const accessKeyId = checkAccessKey(`environment: ${CREDENTIAL_ENV.accessKeyId}`, akey);
  const secretAccessKey = skey as string;
  if (token === undefined || token === '') return { accessKeyId, secretAccessKey };
  return { accessKeyId, secretAccessKey, sessionToken: token };
}
