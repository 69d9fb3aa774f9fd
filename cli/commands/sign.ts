/**
 * `dormouse sign`: sign an HTTP request with SigV4 for any service and show the canonical
 * request, the string to sign and the headers to send. A debugging aid for "signature does not
 * match" errors: compare its canonical request with the one AWS returns. Nothing is sent, and
 * the secret key is never printed (not even in an error).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { nodeCrypto } from '../../hal/sim/crypto.js';
import { credentialsFromEnv, parseCredentialsFile } from '../../src/credentials.js';
import type { Credentials } from '../../src/credentials.js';
import { SigV4Signer, parseAmzDate } from '../../src/sigv4.js';
import type { HeaderRecord } from '../../src/sigv4.js';
import type { Command, CommandIo } from '../command.js';
import { parseFlags, UsageError } from '../command.js';

/** The credentials file looked for in the current directory (the seed's name and format). */
const CREDENTIALS_FILE = 'aws_credentials.txt';

const USAGE = `usage: dormouse sign --method M --url URL --region R --service S [options]

Sign an HTTP request with AWS Signature Version 4 (any service but S3) and show the canonical
request, the string to sign and the headers to send. Nothing is sent.

options:
  --method M               HTTP method (GET, POST, ...; uppercased)
  --url URL                http(s)://host[:port]/path?query, the path exactly as sent on the wire
  --header 'Name: value'   a header to send and sign (repeatable; a Host header overrides the URL's)
  --body TEXT              body, hashed as UTF-8
  --body-file F            body read from file F (bytes)
  --region R               e.g. us-east-1
  --service S              signing name, e.g. iotdata, execute-api, dynamodb
  --date D                 signing time: 20150830T123600Z or ISO 8601 with a zone (default: now)
  --access-key AK          credentials (with --secret-key); otherwise AWS_ACCESS_KEY_ID,
  --secret-key SK            AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, then ./${CREDENTIALS_FILE}
  --session-token T        temporary-credential token (signed as X-Amz-Security-Token)
  --token-after            add the session token after signing, unsigned
  --unsigned-payload       sign UNSIGNED-PAYLOAD instead of the body's hash
  --presign SECONDS        make a presigned URL valid for SECONDS (1..604800) instead
  --json                   print one JSON object: canonicalRequest, stringToSign, signature,
                           headers (and url with --presign)`;

const OPTIONS = {
  method: { type: 'string' },
  url: { type: 'string' },
  header: { type: 'string', multiple: true },
  body: { type: 'string' },
  'body-file': { type: 'string' },
  region: { type: 'string' },
  service: { type: 'string' },
  date: { type: 'string' },
  'access-key': { type: 'string' },
  'secret-key': { type: 'string' },
  'session-token': { type: 'string' },
  'token-after': { type: 'boolean' },
  'unsigned-payload': { type: 'boolean' },
  presign: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** A request URL taken apart by hand: `new URL` would re-encode the path. */
interface ParsedUrl {
  readonly scheme: 'http' | 'https';
  /** Host header value: host, plus `:port` unless it is the scheme's default. */
  readonly host: string;
  /** Path and query exactly as given. */
  readonly path: string;
}

function parseUrl(url: string): ParsedUrl {
  const m = /^(https?):\/\/([^/?#]*)([^#]*)(#.*)?$/i.exec(url);
  if (!m) throw new UsageError(`--url: expected http(s)://host[:port]/path, got ${JSON.stringify(url)}`);
  const scheme = (m[1] as string).toLowerCase() as 'http' | 'https';
  const authority = m[2] as string;
  if (authority.includes('@')) throw new UsageError('--url: expected no user:password@ in the URL (pass credentials with --access-key/--secret-key)');
  const hp = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d+))?$/.exec(authority);
  if (!hp) throw new UsageError(`--url: expected a host name and optional :port, got ${JSON.stringify(authority)}`);
  const port = hp[2] === undefined ? undefined : Number(hp[2]);
  if (port !== undefined && (port < 1 || port > 65535)) throw new UsageError(`--url: expected a port from 1 to 65535, got ${hp[2]}`);
  const isDefault = port === undefined || (scheme === 'https' && port === 443) || (scheme === 'http' && port === 80);
  const host = (hp[1] as string).toLowerCase() + (isDefault ? '' : `:${port}`);
  let path = m[3] as string;
  if (path === '') path = '/';
  else if (path.startsWith('?')) path = `/${path}`;
  return { scheme, host, path };
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function parseHeaders(lines: readonly string[]): { headers: Record<string, string | string[]>; host?: string } {
  const headers: Record<string, string | string[]> = {};
  let host: string | undefined;
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.substring(0, colon).trim() : '';
    if (!TOKEN.test(name)) throw new UsageError(`--header: expected 'Name: value' with a name of letters, digits or -, got ${JSON.stringify(line)}`);
    const value = line.substring(colon + 1).replace(/^[ \t]+/, '');
    const lower = name.toLowerCase();
    if (lower === 'authorization') throw new UsageError('--header: Authorization is what this command computes; leave it out');
    if (lower === 'x-amz-date') throw new UsageError('--header: X-Amz-Date comes from --date; leave it out');
    if (lower === 'host') {
      host = value.trim();
      continue;
    }
    const prev = headers[name];
    headers[name] = prev === undefined ? value : typeof prev === 'string' ? [prev, value] : [...prev, value];
  }
  return host === undefined ? { headers } : { headers, host };
}

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/;

function parseDate(text: string | undefined): number {
  if (text === undefined) return Date.now();
  const amz = parseAmzDate(text);
  if (amz !== undefined) return amz;
  const ms = ISO.test(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(ms) || ms < 0) {
    throw new UsageError(`--date: expected 20150830T123600Z or ISO 8601 with a zone (2015-08-30T12:36:00Z), got ${JSON.stringify(text)}`);
  }
  return ms;
}

function required(values: Record<string, unknown>, name: string, example: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name}: expected a value such as ${example}, got nothing`);
  return v;
}

function loadCredentials(values: Record<string, unknown>, io: CommandIo): Credentials {
  const ak = values['access-key'] as string | undefined;
  const sk = values['secret-key'] as string | undefined;
  const token = values['session-token'] as string | undefined;
  let creds: Credentials | undefined;
  if (ak !== undefined || sk !== undefined) {
    if (!ak) throw new UsageError('--access-key: expected a value with --secret-key, got nothing');
    if (!sk) throw new UsageError('--secret-key: expected a value with --access-key, got nothing');
    creds = { accessKeyId: ak, secretAccessKey: sk };
  } else {
    creds = credentialsFromEnv(io.env);
    if (creds === undefined) {
      const file = resolve(io.cwd, CREDENTIALS_FILE);
      let text: string | undefined;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        text = undefined;
      }
      if (text !== undefined) creds = parseCredentialsFile(text, CREDENTIALS_FILE);
    }
  }
  if (creds === undefined) {
    throw new UsageError(
      `no credentials: expected --access-key and --secret-key, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or ${CREDENTIALS_FILE} in ${io.cwd}`,
    );
  }
  return token ? { ...creds, sessionToken: token } : creds;
}

/** Secrets that could reach an error message: from the command line, the environment, a file. */
function secretsOf(argv: readonly string[], io: CommandIo, creds?: Credentials): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    for (const flag of ['--secret-key', '--session-token']) {
      if (a === flag && i + 1 < argv.length) out.push(argv[i + 1] as string);
      else if (a.startsWith(`${flag}=`)) out.push(a.substring(flag.length + 1));
    }
  }
  for (const v of [io.env['AWS_SECRET_ACCESS_KEY'], io.env['AWS_SESSION_TOKEN'], creds?.secretAccessKey]) if (v) out.push(v);
  return out.filter((s) => s.length > 0);
}

function redact(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const s of secrets) out = out.split(s).join('<redacted>');
  return out;
}

async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  let creds: Credentials | undefined;
  try {
    return execute(argv, io, (c) => (creds = c));
  } catch (e) {
    // Whatever went wrong, the message must not carry a secret (parseArgs quotes values, for one).
    const secrets = secretsOf(argv, io, creds);
    if (e instanceof UsageError) throw new UsageError(redact(e.message, secrets));
    if (e instanceof Error) {
      e.message = redact(e.message, secrets);
      throw e;
    }
    throw new Error(redact(String(e), secrets));
  }
}

function execute(argv: readonly string[], io: CommandIo, seen: (c: Credentials) => void): number {
  const values: Record<string, unknown> = parseFlags(argv, OPTIONS).values;
  const method = required(values, 'method', 'GET').toUpperCase();
  if (!TOKEN.test(method)) throw new UsageError(`--method: expected an HTTP method such as GET or POST, got ${JSON.stringify(method)}`);
  const url = parseUrl(required(values, 'url', 'https://example.amazonaws.com/'));
  const region = required(values, 'region', 'us-east-1');
  if (!/^[a-z0-9-]+$/.test(region)) throw new UsageError(`--region: expected a region name such as us-east-1, got ${JSON.stringify(region)}`);
  const service = required(values, 'service', 'iotdata');
  if (!/^[A-Za-z0-9._-]+$/.test(service)) throw new UsageError(`--service: expected a signing name such as iotdata, got ${JSON.stringify(service)}`);
  const date = parseDate(values['date'] as string | undefined);
  const { headers, host } = parseHeaders((values['header'] as string[] | undefined) ?? []);

  if (values['body'] !== undefined && values['body-file'] !== undefined) throw new UsageError('expected --body or --body-file, got both');
  let body: string | Uint8Array | undefined = values['body'] as string | undefined;
  const bodyFile = values['body-file'] as string | undefined;
  if (bodyFile !== undefined) {
    try {
      body = new Uint8Array(readFileSync(resolve(io.cwd, bodyFile)));
    } catch (e) {
      throw new UsageError(`--body-file: expected a readable file, got ${JSON.stringify(bodyFile)} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  let presignSeconds: number | undefined;
  if (values['presign'] !== undefined) {
    const text = values['presign'] as string;
    presignSeconds = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(presignSeconds >= 1 && presignSeconds <= 604800)) throw new UsageError(`--presign: expected seconds from 1 to 604800, got ${JSON.stringify(text)}`);
  }

  const credentials = loadCredentials(values, io);
  seen(credentials);
  const signer = new SigV4Signer({ crypto: nodeCrypto(), region, service, credentials });
  const request = { method, host: host ?? url.host, path: url.path, headers: headers as HeaderRecord, body };
  const placement = values['token-after'] ? 'after' : 'signed';
  const json = values['json'] === true;

  if (presignSeconds !== undefined) {
    const p = signer.presign(request, { date, expiresSeconds: presignSeconds, sessionTokenPlacement: placement, unsignedPayload: values['unsigned-payload'] === true });
    const fullUrl = `${url.scheme}://${request.host}${p.path}`;
    if (json) {
      io.stdout.write(`${JSON.stringify({ canonicalRequest: p.canonicalRequest, stringToSign: p.stringToSign, signature: p.signature, headers: { Host: request.host }, url: fullUrl })}\n`);
    } else {
      io.stdout.write(section('canonical request', p.canonicalRequest) + section('string to sign', p.stringToSign) + section('signature', p.signature) + section('presigned URL', fullUrl));
    }
    return 0;
  }

  const r = signer.sign(request, { date, sessionTokenPlacement: placement, unsignedPayload: values['unsigned-payload'] === true });
  if (json) {
    io.stdout.write(`${JSON.stringify({ canonicalRequest: r.canonicalRequest, stringToSign: r.stringToSign, signature: r.signature, headers: r.headers })}\n`);
  } else {
    const lines = Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`);
    io.stdout.write(
      section('canonical request', r.canonicalRequest) +
        section('string to sign', r.stringToSign) +
        section('signature', r.signature) +
        section(`headers to send (${method} ${url.scheme}://${request.host}${url.path})`, lines.join('\n')),
    );
  }
  return 0;
}

function section(title: string, body: string): string {
  return `== ${title} ==\n${body}\n\n`;
}

/** `dormouse sign`: SigV4-sign a request and show how (canonical request, string to sign, headers). */
export const signCommand: Command = {
  name: 'sign',
  summary: 'SigV4-sign an HTTP request for any AWS service and show the canonical request and headers',
  usage: USAGE,
  run,
};
