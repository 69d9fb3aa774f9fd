/**
 * Loader for AWS's SigV4 test suite (31 cases, kept in ../shared/sigv4-suite next to the repo):
 * each case's request (`.req`) parsed exactly as written, and the expected canonical request,
 * string to sign, Authorization and signed request. Used by the signer's tests and by the local
 * cloud's verifier tests. Fails loudly when the suite cannot be found.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createHash, createHmac } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Crypto } from '../../hal/hal.js';

/** The suite's fixed inputs (see the suite's readme). */
export const SUITE = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
  service: 'service',
  amzDate: '20150830T123600Z',
  /** 2015-08-30T12:36:00Z */
  epochMs: Date.parse('2015-08-30T12:36:00Z'),
} as const;

/** One header line of a `.req` file: name as written, value after the colon (folded lines kept, joined with `\n`). */
export type SuiteHeader = readonly [string, string];

/** A parsed request of the suite. */
export interface SuiteRequest {
  readonly method: string;
  /** Path and query exactly as in the request line (may hold raw spaces and UTF-8). */
  readonly path: string;
  /** Headers in file order; names may repeat. */
  readonly headers: readonly SuiteHeader[];
  /** Body after the blank line, if any. */
  readonly body?: string;
}

/** One case of the suite. */
export interface SuiteCase {
  /** Case name, e.g. `get-vanilla` or `normalize-path/get-space`. */
  readonly name: string;
  readonly dir: string;
  readonly request: SuiteRequest;
  /** The signed request (`.sreq`), parsed the same way. */
  readonly signedRequest: SuiteRequest;
  readonly creq: string;
  readonly sts: string;
  readonly authz: string;
  /** The Host header's value. */
  readonly host: string;
  /** The session token the case signs with (from `.sreq`), if any. */
  readonly sessionToken?: string;
  /** `'after'` when the token is added after signing (`post-sts-header-after`), else `'signed'`. */
  readonly sessionTokenPlacement: 'signed' | 'after';
}

function candidateDirs(): string[] {
  const out: string[] = [];
  const env = process.env.DORMOUSE_SIGV4_SUITE;
  if (env) out.push(env);
  // test/support → repo root → its parent, where ../shared lives next to /work/main.
  out.push(fileURLToPath(new URL('../../../shared/sigv4-suite/', import.meta.url)));
  out.push(fileURLToPath(new URL('../../shared/sigv4-suite/', import.meta.url)));
  return out;
}

/** Directory of the suite; throws naming every place looked at when it is missing. */
export function suiteDir(): string {
  const tried = candidateDirs();
  for (const d of tried) {
    if (existsSync(d) && statSync(d).isDirectory()) return d;
  }
  throw new Error(`SigV4 test suite not found; looked in: ${tried.join(', ')} (set DORMOUSE_SIGV4_SUITE to its directory)`);
}

/**
 * Parse an HTTP request as the suite writes it: request line `METHOD PATH HTTP/1.1` (the path may
 * contain spaces), `Name:value` lines, continuation lines (starting with a blank) folded into the
 * previous header's value with `\n`, a blank line, then the body.
 */
export function parseSuiteRequest(text: string): SuiteRequest {
  const lines = text.split(/\r?\n/);
  const requestLine = lines[0] ?? '';
  const firstSpace = requestLine.indexOf(' ');
  const lastSpace = requestLine.lastIndexOf(' ');
  if (firstSpace < 0 || lastSpace <= firstSpace || !requestLine.substring(lastSpace + 1).startsWith('HTTP/')) {
    throw new Error(`suite request: expected "METHOD PATH HTTP/1.1", got ${JSON.stringify(requestLine)}`);
  }
  const method = requestLine.substring(0, firstSpace);
  const path = requestLine.substring(firstSpace + 1, lastSpace);
  const headers: [string, string][] = [];
  let i = 1;
  for (; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') break;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      const last = headers[headers.length - 1];
      if (!last) throw new Error(`suite request: continuation line before any header: ${JSON.stringify(line)}`);
      last[1] += '\n' + line;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`suite request: expected "Name:value", got ${JSON.stringify(line)}`);
    headers.push([line.substring(0, colon), line.substring(colon + 1)]);
  }
  const body = i < lines.length ? lines.slice(i + 1).join('\n') : undefined;
  return body === undefined ? { method, path, headers } : { method, path, headers, body };
}

/** Value of the first header named `name` (any case). */
export function headerValue(req: SuiteRequest, name: string): string | undefined {
  const h = req.headers.find((x) => x[0].toLowerCase() === name.toLowerCase());
  return h ? h[1] : undefined;
}

/** The request's headers as a record (repeated names as arrays, in file order), minus `omit` (lowercase names). */
export function headerRecord(req: SuiteRequest, omit: readonly string[] = []): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of req.headers) {
    if (omit.includes(name.toLowerCase())) continue;
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (typeof prev === 'string') out[name] = [prev, value];
    else prev.push(value);
  }
  return out;
}

/** Every case of the suite, sorted by name. Throws when the suite is missing or a case is incomplete. */
export function loadSuite(): SuiteCase[] {
  const root = suiteDir();
  const cases: SuiteCase[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const full = join(dir, entry);
      if (!statSync(full).isDirectory()) continue;
      const reqFile = join(full, `${entry}.req`);
      if (existsSync(reqFile)) cases.push(loadCase(full, entry, prefix + entry));
      walk(full, `${prefix}${entry}/`);
    }
  };
  walk(root, '');
  if (cases.length === 0) throw new Error(`SigV4 test suite at ${root} holds no cases`);
  return cases.sort((a, b) => (a.name < b.name ? -1 : 1));
}

function loadCase(dir: string, base: string, name: string): SuiteCase {
  const read = (ext: string): string => {
    const f = join(dir, `${base}.${ext}`);
    if (!existsSync(f)) throw new Error(`SigV4 suite case ${name}: missing ${f}`);
    return readFileSync(f, 'utf8');
  };
  const request = parseSuiteRequest(read('req'));
  const signedRequest = parseSuiteRequest(read('sreq'));
  const host = headerValue(request, 'host');
  if (host === undefined) throw new Error(`SigV4 suite case ${name}: no Host header`);
  const sessionToken = headerValue(signedRequest, 'x-amz-security-token');
  const tokenInRequest = headerValue(request, 'x-amz-security-token') !== undefined;
  const base2 = { name, dir, request, signedRequest, creq: read('creq'), sts: read('sts'), authz: read('authz'), host };
  return sessionToken === undefined
    ? { ...base2, sessionTokenPlacement: 'signed' }
    : { ...base2, sessionToken, sessionTokenPlacement: tokenInRequest ? 'signed' : 'after' };
}

/** A HAL `Crypto` on node:crypto (the "native" engine the signer is compared on). */
export function nodeCrypto(): Crypto {
  return {
    sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
    hmacSha256: (key, data) => new Uint8Array(createHmac('sha256', key).update(data).digest()),
    utf8: (text) => new Uint8Array(Buffer.from(text, 'utf8')),
    random: (n) => new Uint8Array(n).map(() => Math.floor(Math.random() * 256)),
  };
}
