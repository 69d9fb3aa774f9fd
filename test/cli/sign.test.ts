import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../cli/main.js';
import { SUITE, loadSuite } from '../support/sigv4-suite.js';
import type { SuiteCase } from '../support/sigv4-suite.js';

const SECRET = SUITE.secretAccessKey;
const KEYS = ['--access-key', SUITE.accessKeyId, '--secret-key', SECRET];
/** Everything any test printed: checked at the end for the secret key. */
const allOutput: string[] = [];
const dirs: string[] = [];

function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as Writable & { text: () => string };
  w.text = () => chunks.join('');
  return w;
}

async function sign(args: readonly string[], opts: { env?: Record<string, string>; cwd?: string } = {}) {
  const stdout = sink();
  const stderr = sink();
  const code = await run(['sign', ...args], { stdout, stderr, env: opts.env ?? {}, cwd: opts.cwd ?? emptyDir() });
  allOutput.push(stdout.text(), stderr.text());
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

function emptyDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'dormouse-sign-'));
  dirs.push(d);
  return d;
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function suiteArgs(c: SuiteCase, withKeys = true): string[] {
  const args = ['--method', c.request.method, '--url', `https://${c.host}${c.request.path}`, '--region', SUITE.region, '--service', SUITE.service, '--date', SUITE.amzDate];
  if (withKeys) args.push(...KEYS);
  for (const [name, value] of c.request.headers) {
    const lower = name.toLowerCase();
    if (lower === 'host' || lower === 'x-amz-date' || lower === 'x-amz-security-token') continue;
    args.push('--header', `${name}:${value}`);
  }
  if (c.request.body !== undefined) args.push('--body', c.request.body);
  if (c.sessionToken !== undefined) args.push('--session-token', c.sessionToken);
  if (c.sessionTokenPlacement === 'after') args.push('--token-after');
  return args;
}

describe('cli: dormouse sign', () => {
  const cases = loadSuite();

  it.each(cases.map((c) => [c.name, c] as const))('--json on suite case %s equals the suite', async (_n, c) => {
    const r = await sign([...suiteArgs(c), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { canonicalRequest: string; stringToSign: string; signature: string; headers: Record<string, string> };
    expect(Object.keys(out).sort()).toEqual(['canonicalRequest', 'headers', 'signature', 'stringToSign']);
    expect(out.canonicalRequest).toBe(c.creq);
    expect(out.stringToSign).toBe(c.sts);
    expect(out.headers['Authorization']).toBe(c.authz);
    expect(out.headers['Host']).toBe(c.host);
    expect(out.headers['X-Amz-Date']).toBe(SUITE.amzDate);
    if (c.sessionToken !== undefined) expect(out.headers['X-Amz-Security-Token']).toBe(c.sessionToken);
  });

  it('plain output shows labelled canonical request, string to sign and headers', async () => {
    const c = cases.find((x) => x.name === 'get-vanilla-query-order-key-case') as SuiteCase;
    const r = await sign(suiteArgs(c));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`== canonical request ==\n${c.creq}\n`);
    expect(r.stdout).toContain(`== string to sign ==\n${c.sts}\n`);
    expect(r.stdout).toContain('== headers to send (GET https://example.amazonaws.com/?Param2=value2&Param1=value1) ==');
    expect(r.stdout).toContain(`Authorization: ${c.authz}\n`);
    expect(r.stdout).toContain('X-Amz-Date: 20150830T123600Z\n');
  });

  it('--date accepts ISO 8601 with a zone', async () => {
    const c = cases.find((x) => x.name === 'get-vanilla') as SuiteCase;
    const args = suiteArgs(c).map((a) => (a === SUITE.amzDate ? '2015-08-30T14:36:00+02:00' : a));
    const r = await sign([...args, '--json']);
    expect(JSON.parse(r.stdout).headers.Authorization).toBe(c.authz);
  });

  it('a default port is left out of Host, another one kept', async () => {
    const base = ['--method', 'GET', '--region', 'us-east-1', '--service', 'iotdata', '--date', SUITE.amzDate, ...KEYS, '--json'];
    const a = await sign([...base, '--url', 'https://Example.com:443/x']);
    expect(JSON.parse(a.stdout).headers.Host).toBe('example.com');
    const b = await sign([...base, '--url', 'http://localhost:8443?q=1']);
    const out = JSON.parse(b.stdout);
    expect(out.headers.Host).toBe('localhost:8443');
    expect(out.canonicalRequest.split('\n').slice(1, 3)).toEqual(['/', 'q=1']);
  });

  it('--presign gives the reference presigned URL of specs/aws-iot.md', async () => {
    const r = await sign([
      '--method', 'GET',
      '--url', 'https://a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com/things/t1/shadow',
      '--region', 'us-east-1', '--service', 'iotdata', '--date', SUITE.amzDate, ...KEYS, '--presign', '300', '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.signature).toBe('c212e77dd0683f0cee7b0c91c5a8b01493cd5cc35b7e3163fc74ed27ca01f35f');
    expect(out.url).toMatch(/^https:\/\/a1b2c3d4e5f6g7-ats\.iot\.us-east-1\.amazonaws\.com\/things\/t1\/shadow\?X-Amz-Algorithm=.*&X-Amz-Signature=c212e77d/);
  });

  it('takes credentials from the environment, then aws_credentials.txt in the cwd', async () => {
    const c = cases.find((x) => x.name === 'get-vanilla') as SuiteCase;
    const noKeys = suiteArgs(c, false);
    expect(noKeys).not.toContain(SECRET);
    const fromEnv = await sign([...noKeys, '--json'], { env: { AWS_ACCESS_KEY_ID: SUITE.accessKeyId, AWS_SECRET_ACCESS_KEY: SECRET } });
    expect(JSON.parse(fromEnv.stdout).headers.Authorization).toBe(c.authz);

    const dir = emptyDir();
    writeFileSync(join(dir, 'aws_credentials.txt'), JSON.stringify({ akey: SUITE.accessKeyId, skey: SECRET }));
    const fromFile = await sign([...noKeys, '--json'], { cwd: dir });
    expect(JSON.parse(fromFile.stdout).headers.Authorization).toBe(c.authz);

    const none = await sign(noKeys);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no credentials: expected --access-key and --secret-key, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or aws_credentials.txt');
  });

  it('a broken aws_credentials.txt fails with ECONFIG naming the field, not the secret', async () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'aws_credentials.txt'), JSON.stringify({ akey: SECRET, skey: 5 }));
    const r = await sign(['--method', 'GET', '--url', 'https://example.com/', '--region', 'us-east-1', '--service', 'iotdata'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ECONFIG: aws_credentials.txt: field "akey": expected a non-empty string');
  });

  const base = ['--method', 'GET', '--url', 'https://example.com/', '--region', 'us-east-1', '--service', 'iotdata', ...KEYS];
  it.each([
    ['missing --region', base.filter((a) => a !== '--region' && a !== 'us-east-1'), '--region: expected a value such as us-east-1, got nothing'],
    ['missing --method', base.slice(2), '--method: expected a value such as GET'],
    ['bad --date', [...base, '--date', 'yesterday'], '--date: expected 20150830T123600Z or ISO 8601 with a zone (2015-08-30T12:36:00Z), got "yesterday"'],
    ['impossible --date', [...base, '--date', '20150231T000000Z'], '--date: expected 20150830T123600Z'],
    ['zone-less ISO --date', [...base, '--date', '2015-08-30T12:36:00'], '--date: expected'],
    ['bad --header', [...base, '--header', 'no colon here'], `--header: expected 'Name: value' with a name of letters, digits or -, got "no colon here"`],
    ['--header with a space in the name', [...base, '--header', 'Bad Name: v'], "--header: expected 'Name: value'"],
    ['X-Amz-Date as --header', [...base, '--header', 'X-Amz-Date: 20150830T123600Z'], 'X-Amz-Date comes from --date'],
    ['bad --url', ['--url', 'example.com/x', ...base.slice(4)].concat(['--method', 'GET']), '--url: expected http(s)://host[:port]/path'],
    ['--url with a user', [...base.slice(0, 2), '--url', 'https://u:p@example.com/', ...base.slice(4)], 'expected no user:password@'],
    ['--body and --body-file', [...base, '--body', 'x', '--body-file', 'f'], 'expected --body or --body-file, got both'],
    ['missing --body-file', [...base, '--body-file', 'nope.bin'], '--body-file: expected a readable file, got "nope.bin" (ENOENT)'],
    ['--presign out of range', [...base, '--presign', '604801'], '--presign: expected seconds from 1 to 604800, got "604801"'],
    ['--access-key without --secret-key', ['--method', 'GET', '--url', 'https://e.com/', '--region', 'r', '--service', 's', '--access-key', 'AK'], '--secret-key: expected a value with --access-key'],
    ['unknown flag', [...base, '--frobnicate'], "Unknown option '--frobnicate'"],
    ['secret value starting with a dash', ['--method', 'GET', '--url', 'https://e.com/', '--region', 'r', '--service', 's', '--access-key', 'AK', '--secret-key', `-${SECRET}`], "--secret-key"],
  ])('%s → exit 2 with a clear message and the usage', async (_n, args, message) => {
    const r = await sign(args, { env: { AWS_SECRET_ACCESS_KEY: SECRET } });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`dormouse sign: `);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('usage: dormouse sign');
  });

  it('a --body-file is hashed as bytes', async () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'body.bin'), 'Param1=value1');
    const c = cases.find((x) => x.name === 'post-x-www-form-urlencoded') as SuiteCase;
    const args = suiteArgs(c).filter((a) => a !== '--body' && a !== 'Param1=value1');
    const r = await sign([...args, '--body-file', 'body.bin', '--json'], { cwd: dir });
    expect(JSON.parse(r.stdout).headers.Authorization).toBe(c.authz);
  });

  it('is listed by dormouse help', async () => {
    const stdout = sink();
    await run(['help'], { stdout, stderr: sink(), env: {}, cwd: emptyDir() });
    expect(stdout.text()).toMatch(/\n {2}sign +SigV4-sign/);
  });

  // Runs last (vitest keeps declaration order within a file): every output above is checked.
  it('never printed the secret key, in any output or error', () => {
    expect(allOutput.length).toBeGreaterThan(40);
    for (const text of allOutput) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('K7MDENG');
    }
  });
});
