/**
 * A real Espruino interpreter (the Linux build, `ESPRUINO_BIN`) talks to the local cloud: TLS
 * handshake with its mbedTLS client, a signed GET and a signed POST (with the Content-Length
 * Espruino does not add itself). Skipped when `ESPRUINO_BIN` is not set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../hal/sim/crypto.js';
import { SigV4Signer } from '../../src/sigv4.js';
import type { RunningCloud } from '../../cloud/index.js';
import { ESPRUINO_BIN, runOnEspruino } from '../support/espruino-bin.js';
import { EXAMPLE_CREDENTIALS, shadowApi, startTestCloud } from './support/cloud-fixture.js';

let cloud: RunningCloud;
const signer = new SigV4Signer({ crypto: nodeCrypto(), region: 'us-east-1', service: 'iotdata', credentials: EXAMPLE_CREDENTIALS });

/** An Espruino program making one HTTPS request and printing status and body. */
function program(method: string, path: string, headers: Record<string, string>, body?: string): string {
  return `
var http = require('http');
var req = http.request({ host: '127.0.0.1', port: ${cloud.port}, protocol: 'https:', method: ${JSON.stringify(method)}, path: ${JSON.stringify(path)}, headers: ${JSON.stringify(headers)} }, function (res) {
  var body = '';
  print('STATUS ' + res.statusCode);
  res.on('data', function (d) { body += d; });
  res.on('close', function () { print('BODY ' + body); });
});
req.on('error', function (e) { print('ERROR ' + JSON.stringify(e)); });
req.end(${body === undefined ? '' : JSON.stringify(body)});
`;
}

describe.skipIf(!ESPRUINO_BIN)('Espruino (mbedTLS) against the local cloud', () => {
  beforeAll(async () => {
    cloud = await startTestCloud();
    await shadowApi(cloud).update('esp', { state: { desired: { sleep: 30 } } });
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('espruino: TLS handshake and a signed GET of the shadow', async () => {
    const signed = signer.sign({ method: 'GET', host: `127.0.0.1:${cloud.port}`, path: '/things/esp/shadow' }, { date: Date.now() });
    const run = await runOnEspruino(program('GET', '/things/esp/shadow', signed.headers), { timeoutMs: 20_000 });
    expect(run.lines, run.output).toContain('STATUS 200');
    const body = run.lines.find((l) => l.startsWith('BODY '));
    expect(JSON.parse((body ?? 'BODY null').slice(5)).state.delta).toEqual({ sleep: 30 });
  });

  it('espruino: a signed POST of reported is accepted', async () => {
    const body = '{"state":{"reported":{"sleep":30,"status":"done: from espruino"}}}';
    const signed = signer.sign({ method: 'POST', host: `127.0.0.1:${cloud.port}`, path: '/things/esp/shadow', headers: { 'Content-Type': 'application/json', 'Content-Length': String(body.length) }, body }, { date: Date.now() });
    const run = await runOnEspruino(program('POST', '/things/esp/shadow', signed.headers, body), { timeoutMs: 20_000 });
    expect(run.lines, run.output).toContain('STATUS 200');
    expect(cloud.shadows.stored({ thing: 'esp' })?.state.reported).toEqual({ sleep: 30, status: 'done: from espruino' });
  });
});
