/**
 * The signer on the real Espruino interpreter (Linux build, `ESPRUINO_BIN`), compiled exactly
 * like the device bundles: all 31 suite cases and the project's reference vectors must give the
 * same canonical request, string to sign and Authorization as on Node. Skipped without the binary.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildFixture } from '../build/build-fixture.js';
import { ESPRUINO_BIN, runOnEspruino } from '../support/espruino-bin.js';
import { SUITE, headerRecord, loadSuite } from '../support/sigv4-suite.js';
import type { Job } from './sigv4-espruino-entry.js';

const KEYS = { accessKeyId: SUITE.accessKeyId, secretAccessKey: SUITE.secretAccessKey };
const IOT_HOST = 'a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com';
const IOT = { ...KEYS, region: 'us-east-1', service: 'iotdata', host: IOT_HOST, headers: {}, date: SUITE.epochMs, placement: 'signed' as const };

/** JSON with every non-ASCII character escaped (the program text must be ASCII for Espruino). */
function asciiJson(v: unknown): string {
  return JSON.stringify(v).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

describe.skipIf(!ESPRUINO_BIN)('sigv4: on Espruino (pure-TypeScript crypto)', () => {
  it('signs all 31 suite cases and the reference vectors like AWS; its key cache evicts correctly', async () => {
    const cases = loadSuite();
    const jobs: Job[] = cases.map((c) => ({
      ...KEYS,
      region: SUITE.region,
      service: SUITE.service,
      ...(c.sessionToken !== undefined ? { sessionToken: c.sessionToken } : {}),
      placement: c.sessionTokenPlacement,
      method: c.request.method,
      host: c.host,
      path: c.request.path,
      headers: headerRecord(c.request),
      ...(c.request.body !== undefined ? { body: c.request.body } : {}),
      date: SUITE.epochMs,
    }));
    // From specs/aws-iot.md (typed in, not computed here).
    const vectors: [Job, string][] = [
      [{ ...IOT, method: 'GET', path: '/things/t1/shadow' }, '8b07d5ea9bf0dbc26f7180b172f44f0bb334dd3d74f8a5c80522148ffa610afa'],
      [{ ...IOT, method: 'POST', path: '/things/t1/shadow', body: '{"state":{"reported":{"temp":21}}}' }, '15984c1eac5cec32a9ff475358457b8de90b5abb8ae413bc52b4309880479f7f'],
      [{ ...IOT, method: 'GET', path: '/things/my%3Athing/shadow' }, 'f26ad7943edf89bf27ef584599ef6fee05b8a3b1a726035272688253ffa39b3d'],
      [{ ...IOT, method: 'GET', path: '/things/t1/shadow', sessionToken: 'FQoGZXIvYXdzEXAMPLETOKEN//////////wEaDEXAMPLE=' }, 'cc5a96ad6d92190bf9e525ca5b9c137f918fe836977f1fba776e16f944f6e106'],
      [{ ...IOT, method: 'GET', path: '/things/t1/shadow', presignSeconds: 300 }, 'c212e77dd0683f0cee7b0c91c5a8b01493cd5cc35b7e3163fc74ed27ca01f35f'],
    ];
    const bundle = await buildFixture({ name: 'sigv4-espruino', input: fileURLToPath(new URL('./sigv4-espruino-entry.ts', import.meta.url)), globalName: 'sigtest' });
    const program =
      bundle +
      `\nvar jobs = ${asciiJson([...jobs, ...vectors.map((v) => v[0])])};\n` +
      'for (var i = 0; i < jobs.length; i++) print("@@" + i + " " + JSON.stringify(sigtest.signJob(jobs[i])));\n' +
      'print("@@cache " + JSON.stringify(sigtest.cacheCheck()));\n' +
      'print("@@ms " + sigtest.timeSign(10, function () { return getTime() * 1000; }));\n';
    const run = await runOnEspruino(program, { timeoutMs: 120_000 });
    expect(run.uncaught).toEqual([]);
    const results = new Map<number, { creq: string; sts: string; signature: string; authz: string }>();
    for (const line of run.lines) {
      const m = /^@@(\d+) (.*)$/.exec(line);
      if (m) results.set(Number(m[1]), JSON.parse(m[2] as string));
    }
    cases.forEach((c, i) => {
      const r = results.get(i);
      expect(r, c.name).toBeDefined();
      expect(r?.creq, c.name).toBe(c.creq);
      expect(r?.sts, c.name).toBe(c.sts);
      expect(r?.authz, c.name).toBe(c.authz);
    });
    vectors.forEach(([, signature], k) => {
      expect(results.get(cases.length + k)?.signature).toBe(signature);
    });
    expect(run.lines).toContain('@@cache []');
    const ms = run.lines.find((l) => l.startsWith('@@ms '));
    expect(ms).toBeDefined();
    console.log(`sigv4 sign on Espruino (Linux build, pure TS crypto, key cached): ${Number(ms?.slice(5)).toFixed(1)} ms`);
  }, 180_000);
});
