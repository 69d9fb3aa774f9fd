import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAssignments, parseValue } from '../../cli/commands/shadow.js';
import { run } from '../../cli/main.js';
import { EXAMPLE_CREDENTIALS, startFakeIot } from '../support/fake-iot.js';
import type { FakeIot } from '../support/fake-iot.js';
import { localhostPki, makeCa } from '../support/forge-pki.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

const pki = localhostPki();
const SEED_CREDS = JSON.stringify({ akey: EXAMPLE_CREDENTIALS.accessKeyId, skey: EXAMPLE_CREDENTIALS.secretAccessKey });
let server: FakeIot;
const dirs: string[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'dormouse-cli-shadow-'));
  dirs.push(d);
  return d;
}

/** A project directory whose local cloud (`.dormouse/cloud/`) points at the fake server. */
function projectWithCloud(): string {
  const dir = tempDir();
  const cloud = join(dir, '.dormouse', 'cloud');
  mkdirSync(cloud, { recursive: true });
  writeFileSync(
    join(cloud, 'cloud.json'),
    JSON.stringify({ endpoint: `127.0.0.1:${server.port}`, region: 'us-east-1', ca: 'ca.pem', ntpPort: 1123, keyId: EXAMPLE_CREDENTIALS.accessKeyId, pid: process.pid }),
  );
  writeFileSync(join(cloud, 'aws_credentials.txt'), SEED_CREDS);
  writeFileSync(join(cloud, 'ca.pem'), pki.ca.cert);
  return dir;
}

async function dormouse(args: string[], o: { cwd: string; env?: Record<string, string> }): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await run(args, { stdout, stderr, cwd: o.cwd, env: o.env ?? {} });
  return { code, out: stdout.text, err: stderr.text };
}

beforeAll(async () => {
  server = await startFakeIot({ cert: pki.server.cert, key: pki.server.key });
});
afterAll(async () => {
  await server.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
beforeEach(() => {
  server.requests.length = 0;
  for (const k of Object.keys(server.shadows)) delete server.shadows[k];
});

describe('dormouse shadow (against an AWS-shaped test server)', () => {
  it('cli shadow: get with no flags finds the local cloud and prints summary + document', async () => {
    server.shadows['t1'] = { desired: { sleep: 30, signal: 2 }, reported: { sleep: 30, status: 'done' }, version: 7 };
    const r = await dormouse(['shadow', 'get', 't1'], { cwd: projectWithCloud() });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const [summary, json] = r.out.split('\n\n');
    expect(summary).toMatch(/^thing t1, classic shadow, version 7, timestamp \d{4}-/);
    expect(summary).toMatch(/\* signal +2 +-\n/);
    expect(summary).toMatch(/ {2}sleep +30 +30\n/);
    expect(summary).toContain('delta (* above): {"signal":2}');
    expect(JSON.parse(json as string).state.delta).toEqual({ signal: 2 });
    expect(server.requests[0]?.signature).toBe('valid');
  });

  it('cli shadow: get --raw prints only the JSON; --verbose says where settings came from, without secrets', async () => {
    server.shadows['t1/cfg'] = { reported: { a: 1 }, version: 2 };
    const r = await dormouse(['shadow', 'get', 't1', '--name', 'cfg', '--raw', '--verbose'], {
      cwd: projectWithCloud(),
      env: { AWS_ACCESS_KEY_ID: 'AKIDOTHER', AWS_SECRET_ACCESS_KEY: 'otherSecretValue' },
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).version).toBe(2);
    expect(server.requests[0]?.url).toBe('/things/t1/shadow?name=cfg');
    expect(r.err).toContain('endpoint: https://127.0.0.1:');
    expect(r.err).toContain('.dormouse/cloud/cloud.json, the local cloud');
    expect(r.err).toContain('credentials: key id AKID…');
    expect(r.err).toContain('AWS_ACCESS_KEY_ID ignored');
    expect(r.err).toContain('ca: .dormouse/cloud/ca.pem');
    expect(r.err).not.toContain(EXAMPLE_CREDENTIALS.secretAccessKey);
    expect(r.err).not.toContain('otherSecretValue');
  });

  it('cli shadow: a missing shadow shows the AWS error as AWS sent it and exits 1', async () => {
    const r = await dormouse(['shadow', 'get', 'ghost'], { cwd: projectWithCloud() });
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    const lines = r.err.split('\n');
    expect(lines[0]).toBe('HTTP/1.1 404 Not Found');
    expect(lines[1]).toBe('x-amzn-ErrorType: ResourceNotFoundException:');
    expect(lines[2]).toMatch(/^x-amzn-RequestId: [0-9a-f-]{36}$/);
    expect(lines[3]).toMatch(/^Date: \w\w\w, \d\d \w\w\w \d{4} /);
    expect(lines[4]).toBe('');
    expect(JSON.parse(lines[5] as string)).toEqual({ code: 404, message: "No shadow exists with name: 'ghost'" });
  });

  it('cli shadow: update --desired/--reported builds the document (JSON values, strings, dotted keys)', async () => {
    const r = await dormouse(
      ['shadow', 'update', 'my:thing', '--desired', 'sleep=60', '--desired', 'mode=eco', '--desired', 'led.on=true', '--reported', 'note="42"', '--reported', 'gone=null'],
      { cwd: projectWithCloud() },
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^accepted: my:thing is now at version 1\n/);
    const req = server.requests[0];
    expect(req?.url).toBe('/things/my%3Athing/shadow');
    expect(JSON.parse(req?.body ?? '')).toEqual({ state: { desired: { sleep: 60, mode: 'eco', led: { on: true } }, reported: { note: '42', gone: null } } });
  });

  it('cli shadow: update --json with --version, and a version conflict is shown as a 409', async () => {
    server.shadows['t1'] = { desired: { sleep: 30 }, version: 3 };
    const cwd = projectWithCloud();
    const ok = await dormouse(['shadow', 'update', 't1', '--json', '{"state":{"desired":{"sleep":90}}}', '--version', '3'], { cwd });
    expect(ok.code).toBe(0);
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({ state: { desired: { sleep: 90 } }, version: 3 });
    const conflict = await dormouse(['shadow', 'update', 't1', '--desired', 'sleep=10', '--version', '3'], { cwd });
    expect(conflict.code).toBe(1);
    expect(conflict.err).toMatch(/^HTTP\/1\.1 409 Conflict\nx-amzn-ErrorType: ConflictException:\n/);
    expect(conflict.err).toContain('{"code":409,"message":"Version conflict"}');
  });

  it('cli shadow: delete prints what was deleted; list pages through every named shadow', async () => {
    server.shadows['t1'] = { reported: { a: 1 }, version: 9 };
    for (let i = 0; i < 130; i++) server.shadows[`t1/s${String(i).padStart(3, '0')}`] = { reported: {}, version: 1 };
    const cwd = projectWithCloud();
    const del = await dormouse(['shadow', 'delete', 't1'], { cwd });
    expect(del.code).toBe(0);
    expect(del.out).toMatch(/^deleted: t1 classic shadow \(was version 9\)\n/);
    const list = await dormouse(['shadow', 'list', 't1'], { cwd });
    expect(list.code).toBe(0);
    const names = list.out.trim().split('\n');
    expect(names).toHaveLength(130);
    expect(names[0]).toBe('s000');
    expect(names[129]).toBe('s129');
    expect(server.requests.filter((r) => r.url.startsWith('/api/things/shadow/ListNamedShadowsForThing/t1'))).toHaveLength(2);
    const none = await dormouse(['shadow', 'list', 'nobody'], { cwd });
    expect(none.code).toBe(0);
    expect(none.err).toBe('no named shadows for thing nobody\n');
  });

  it('cli shadow: flags and environment work without any files', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'my-ca.pem'), pki.ca.cert);
    server.shadows['t1'] = { reported: { a: 1 }, version: 1 };
    const r = await dormouse(['shadow', 'get', 't1', '--raw', '--endpoint', `localhost:${server.port}`, '--ca', 'my-ca.pem', '--region', 'us-east-1'], {
      cwd,
      env: { AWS_ACCESS_KEY_ID: EXAMPLE_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: EXAMPLE_CREDENTIALS.secretAccessKey },
    });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(server.requests[0]?.headers['host']).toBe(`localhost:${server.port}`);
    expect(server.requests[0]?.signature).toBe('valid');
  });

  it('cli shadow: the seed files in the current directory are used (aws_iot_cfg.txt, aws_credentials.txt, its ca)', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'aws_iot_cfg.txt'), JSON.stringify({ region: 'us-east-1', endpoint: `localhost:${server.port}`, ca: 'root.pem' }));
    writeFileSync(join(cwd, 'aws_credentials.txt'), SEED_CREDS);
    writeFileSync(join(cwd, 'root.pem'), pki.ca.cert);
    server.shadows['t1'] = { reported: { a: 1 }, version: 1 };
    const r = await dormouse(['shadow', 'get', 't1', '--verbose'], { cwd });
    expect(r.code).toBe(0);
    expect(r.err).toContain('(from aws_iot_cfg.txt)');
    expect(r.err).toContain('(from aws_credentials.txt)');
  });

  it('cli shadow: a server certificate from another CA is ETLS with a hint, exit 1', async () => {
    const cwd = projectWithCloud();
    writeFileSync(join(cwd, '.dormouse', 'cloud', 'ca.pem'), makeCa('some other CA').cert);
    const r = await dormouse(['shadow', 'get', 't1'], { cwd });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^dormouse shadow: ETLS: /);
    expect(r.err).toContain('--ca');
  });

  it('cli shadow: no endpoint anywhere is ECONFIG saying where it looked', async () => {
    const r = await dormouse(['shadow', 'get', 't1'], { cwd: tempDir() });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^dormouse shadow: ECONFIG: no endpoint: expected --endpoint HOST\[:PORT\], aws_iot_cfg.txt in .*, or a running local cloud/);
  });

  it.each([
    [['shadow'], 'expected one of get, update, delete, list, history'],
    [['shadow', 'get'], 'get: expected a THING name'],
    [['shadow', 'update', 't1'], 'update: expected --desired k=v, --reported k=v or --json DOC'],
    [['shadow', 'update', 't1', '--desired', 'novalue'], '--desired: expected key=value'],
    [['shadow', 'update', 't1', '--json', '{bad'], '--json: expected a JSON object'],
    [['shadow', 'get', 't1', '--desired', 'a=1'], '--desired, --reported, --json and --version go with update only'],
    [['shadow', 'get', 't1', '--bogus'], "Unknown option '--bogus'"],
  ])('cli shadow: %j is a usage error (exit 2)', async (args, message) => {
    const r = await dormouse(args, { cwd: projectWithCloud() });
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).toContain('usage: dormouse shadow');
    expect(server.requests).toHaveLength(0);
  });

  it('cli shadow: an invalid thing name is rejected before anything is sent', async () => {
    const r = await dormouse(['shadow', 'get', 'bad name'], { cwd: projectWithCloud() });
    expect(r.code).toBe(1);
    expect(r.err).toContain('EINVALID: thing name');
    expect(server.requests).toHaveLength(0);
  });

  it('cli publish: publishes to the topic (one encoded segment) and prints the trace id', async () => {
    const cwd = projectWithCloud();
    const r = await dormouse(['publish', '$aws/things/t1/shadow/update', '{"state":{}}', '--qos', '1'], { cwd });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^published 12 bytes to \$aws\/things\/t1\/shadow\/update \(qos 1\), traceId [0-9a-f-]{36}\n$/);
    expect(server.requests[0]?.url).toBe('/topics/%24aws%2Fthings%2Ft1%2Fshadow%2Fupdate?qos=1');
    writeFileSync(join(cwd, 'msg.json'), '{"temp":21}');
    const f = await dormouse(['publish', 'dt/t1', '--file', 'msg.json'], { cwd });
    expect(f.code).toBe(0);
    expect(server.requests[1]?.body).toBe('{"temp":21}');
    const bad = await dormouse(['publish', 'dt/#', 'x'], { cwd });
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('EINVALID: topic');
  });
});

describe('k=v values', () => {
  it('cli shadow: values are JSON when they parse, else strings', () => {
    expect(parseValue('60')).toBe(60);
    expect(parseValue('-1.5')).toBe(-1.5);
    expect(parseValue('true')).toBe(true);
    expect(parseValue('null')).toBe(null);
    expect(parseValue('"42"')).toBe('42');
    expect(parseValue('[1,2]')).toEqual([1, 2]);
    expect(parseValue('eco')).toBe('eco');
    expect(parseValue('')).toBe('');
    expect(parseValue('1e')).toBe('1e');
  });

  it('cli shadow: dotted keys nest; a=1 with a.b=2 is a usage error', () => {
    expect(parseAssignments(['a.b.c=1', 'a.d=x', 'e=2=3'], '--desired')).toEqual({ a: { b: { c: 1 }, d: 'x' }, e: '2=3' });
    expect(() => parseAssignments(['a=1', 'a.b=2'], '--desired')).toThrow(/already set/);
    expect(() => parseAssignments(['a.b=1', 'a=2'], '--desired')).toThrow(/both as an object and as a value/);
    expect(() => parseAssignments(['.a=1'], '--desired')).toThrow(/expected key=value/);
  });
});
