/**
 * flash.sh: every file is checked before anything is sent, and `--dry-run` produces the upload
 * script (espruino CLI `-n -o`) holding every device file in Storage and the bundle as
 * `.bootcde`. The script is run here against a Storage double to read back what a board would
 * hold.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CREDENTIALS } from '../support/fake-iot.js';
import { issueCert, makeCa, type TestCert } from '../support/forge-pki.js';
import { ROOT } from './bundles.js';

const FLASH = join(ROOT, 'flash.sh');
let work: string;
let ca: TestCert;
let thingCert: TestCert;
let bundle: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'dormouse-flash-'));
  ca = makeCa('flash test CA');
  thingCert = issueCert(ca, { commonName: 'thing-1', client: true });
  bundle = join(work, 'esp32.min.js');
  // A stand-in bundle with the characters an upload must carry intact.
  writeFileSync(bundle, '!function(){var s="quote \\" backslash \\\\ newline \\n";print("dormouse "+s)}();\n');
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

function deviceDir(files: Record<string, string | undefined> = {}): string {
  const dir = mkdtempSync(join(work, 'device-'));
  const base: Record<string, string | undefined> = {
    'aws_iot_cfg.txt': JSON.stringify({ region: 'us-east-1', endpoint: 'localhost:8443', ca: 'ca.pem', ntp: 'localhost:1123', thing: 'esp-1' }),
    'aws_credentials.txt': JSON.stringify({ akey: EXAMPLE_CREDENTIALS.accessKeyId, skey: EXAMPLE_CREDENTIALS.secretAccessKey }),
    'ca.pem': ca.cert,
    'wifi.json': JSON.stringify({ ssid: 'dormouse-lab', password: 'correct horse' }),
    ...files,
  };
  for (const [name, contents] of Object.entries(base)) if (contents !== undefined) writeFileSync(join(dir, name), contents);
  return dir;
}

function flash(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', [FLASH, ...args], { encoding: 'utf8', env: { ...process.env, PORT: '', ...env }, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs an upload script against a Storage double: what the board's Storage would hold, and what it loads. */
function replay(script: string): { files: Map<string, string>; loaded: string[] } {
  const files = new Map<string, string>();
  const loaded: string[] = [];
  const Storage = {
    write(name: string, data: string, offset?: number, size?: number): boolean {
      const prev = offset === undefined || offset === 0 ? ''.padEnd(size ?? 0, '\xff') : (files.get(name) as string);
      const o = offset ?? 0;
      files.set(name, size === undefined && o === 0 ? data : prev.slice(0, o) + data + prev.slice(o + data.length));
      return true;
    },
  };
  vm.runInNewContext(script, {
    require: (m: string) => {
      if (m !== 'Storage') throw new Error(`unexpected module ${m}`);
      return Storage;
    },
    atob: (b: string) => Buffer.from(b, 'base64').toString('latin1'),
    load: (name: string) => loaded.push(name),
    reset: () => undefined,
    E: { setBootCode: () => { throw new Error('expected Storage writes, not E.setBootCode'); } },
  });
  return { files, loaded };
}

const latin1 = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

describe('flash.sh --dry-run', () => {
  it('writes an upload script holding every device file in Storage and the bundle as .bootcde', () => {
    const dir = deviceDir({ 'board.json': JSON.stringify({ ledPin: 'D4' }) });
    const out = join(work, 'upload.js');
    const r = flash(['--dry-run', '--bundle', bundle, '-o', out, dir]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/dry run: nothing sent; the upload script is .*upload\.js/);
    for (const n of ['aws_iot_cfg.txt', 'aws_credentials.txt', 'ca.pem', 'wifi.json', 'board.json', '.bootcde']) expect(r.stdout).toContain(`Storage ${n} (`);
    const { files, loaded } = replay(readFileSync(out, 'latin1'));
    for (const n of ['aws_iot_cfg.txt', 'aws_credentials.txt', 'ca.pem', 'wifi.json', 'board.json']) {
      expect(files.get(n), n).toBe(latin1(readFileSync(join(dir, n), 'utf8')));
    }
    expect(files.get('.bootcde')).toBe(readFileSync(bundle, 'latin1'));
    expect([...files.keys()].sort()).toEqual(['.bootcde', 'aws_credentials.txt', 'aws_iot_cfg.txt', 'board.json', 'ca.pem', 'wifi.json']);
    expect(loaded).toEqual(['.bootcde']);
  });

  it('uploads cert.pem and key.pem instead of credentials for X.509 auth', () => {
    const dir = deviceDir({
      'aws_iot_cfg.txt': JSON.stringify({ region: 'eu-west-1', endpt_prefix: 'abc123', ca: 'ca.pem', auth: 'x509' }),
      'aws_credentials.txt': undefined,
      'cert.pem': thingCert.cert,
      'key.pem': thingCert.key,
    });
    const out = join(work, 'upload-x509.js');
    const r = flash(['--dry-run', '--bundle', bundle, '-o', out, dir]);
    expect(r.stderr).toBe('');
    const { files } = replay(readFileSync(out, 'latin1'));
    expect(files.get('key.pem')).toBe(thingCert.key);
    expect(files.has('aws_credentials.txt')).toBe(false);
  });

  it('prints the script itself with -o -', () => {
    const r = flash(['--dry-run', '--bundle', bundle, '-o', '-', deviceDir()]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('require("Storage").write("wifi.json"');
    expect(r.stdout).toContain('load(".bootcde")');
  });
});

describe('flash.sh refuses bad input before sending anything', () => {
  const cases: [string, Record<string, string | undefined>, RegExp][] = [
    ['a missing wifi.json', { 'wifi.json': undefined }, /wifi\.json: missing \(expected \{"ssid": "my-network", "password": "\.\.\."\}\)/],
    ['a wifi.json without ssid', { 'wifi.json': '{"password": "x"}' }, /wifi\.json: field "ssid": expected a network name of 1\.\.32 bytes, got nothing/],
    ['missing credentials', { 'aws_credentials.txt': undefined }, /aws_credentials\.txt: missing/],
    ['credentials that are not JSON, without echoing them', { 'aws_credentials.txt': 'akey=AKIDEXAMPLE skey=topsecret' }, /aws_credentials\.txt: expected a JSON object, got \d+ characters that are not one \(not shown/],
    ['a CA that is not PEM', { 'ca.pem': 'hello' }, /ca\.pem: expected a PEM certificate \(-----BEGIN CERTIFICATE-----\), got "hello"/],
    ['a missing CA', { 'ca.pem': undefined }, /ca\.pem: missing \(named by aws_iot_cfg\.txt field "ca"\)/],
    ['a bad region', { 'aws_iot_cfg.txt': JSON.stringify({ region: 'Mars', endpoint: 'h:1', ca: 'ca.pem' }) }, /aws_iot_cfg\.txt: field "region": expected a string like "us-east-1", got "Mars"/],
    ['a config that is not JSON', { 'aws_iot_cfg.txt': "{'region': 'us-east-1'}" }, /aws_iot_cfg\.txt: expected a JSON object, got/],
    ['x509 without its key', { 'aws_iot_cfg.txt': JSON.stringify({ region: 'us-east-1', endpoint: 'h:1', auth: 'x509' }), 'cert.pem': 'x' }, /key\.pem: missing \(aws_iot_cfg\.txt says "auth": "x509"\)/],
  ];
  for (const [what, files, message] of cases) {
    it(what, () => {
      const r = flash(['--dry-run', '--bundle', bundle, '-o', join(work, 'never.js'), deviceDir(files)]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/refusing to flash: fix the files above/);
      expect(r.stderr).not.toContain(EXAMPLE_CREDENTIALS.secretAccessKey);
      expect(r.stderr).not.toContain('topsecret');
    });
  }

  it('no serial port without --dry-run, a missing directory, a missing bundle', () => {
    expect(flash(['--no-build', deviceDir()]).stderr).toMatch(/no serial port: give --port \/dev\/ttyUSB0/);
    expect(flash(['--dry-run', join(work, 'nope')]).stderr).toMatch(/nope: no such directory/);
    const gone = join(work, 'gone.js');
    writeFileSync(gone, 'x');
    unlinkSync(gone);
    expect(flash(['--dry-run', '--bundle', gone, deviceDir()]).stderr).toMatch(/gone\.js: missing/);
    expect(flash(['--dry-run', '--monitor', deviceDir()]).stderr).toMatch(/--monitor needs a board/);
  });
});
