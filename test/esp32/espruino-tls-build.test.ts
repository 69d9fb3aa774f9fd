/**
 * firmware/espruino/build.sh: patches an Espruino checkout for verified TLS with SNI and builds
 * it. With ESPRUINO_SRC naming an Espruino source checkout, the test copies it to a temp dir,
 * builds BOARD=LINUX with the script, and checks on the resulting binary that a server whose
 * certificate the given CA did not sign is refused, the right CA is accepted, and the SNI the
 * server sees is the requested host (or `servername`). Without ESPRUINO_SRC only the script's
 * refusals are tested.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOnEspruino } from '../support/espruino-bin.js';
import { issueCert, makeCa, type TestCert } from '../support/forge-pki.js';
import { ROOT } from './bundles.js';

const BUILD = join(ROOT, 'firmware/espruino/build.sh');
const PATCH = join(ROOT, 'firmware/espruino/patch-tls.py');
const SRC = process.env.ESPRUINO_SRC !== undefined && process.env.ESPRUINO_SRC !== '' ? process.env.ESPRUINO_SRC : undefined;

function run(cmd: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('firmware/espruino/build.sh refuses what it cannot patch', () => {
  it('a directory that is not an Espruino checkout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dormouse-not-espruino-'));
    const r = run('bash', [BUILD, '--src', dir, '--board', 'LINUX']);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/not an Espruino checkout \(no Makefile or libs\/network\/network\.c\)/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('an unknown board or a bad heap size', () => {
    expect(run('bash', [BUILD, '--board', 'NRF52']).out).toMatch(/--board: expected ESP32 or LINUX, got 'NRF52'/);
    expect(run('bash', [BUILD, '--heap', 'lots']).out).toMatch(/--heap: expected a number of bytes, got 'lots'/);
  });

  it('a checkout whose TLS code has moved (the anchors are missing), naming the file and what it looked for', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dormouse-moved-'));
    mkdirSync(join(dir, 'libs/network'), { recursive: true });
    writeFileSync(join(dir, 'libs/network/network.c'), '/* a network.c without the expected TLS setup */\n');
    const r = run('python3', [PATCH, dir]);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/network\.c: expected exactly one definition of ssl_newSocketData.*found 0; this Espruino version is not one dormouse knows how to patch \(pinned: RELEASE_2V29\)/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe.skipIf(SRC === undefined)('firmware/espruino/build.sh on an Espruino checkout (ESPRUINO_SRC)', () => {
  let work: string;
  let bin: string;
  let pki: { ca: TestCert; other: TestCert; server: TestCert };
  let server: tls.Server;
  let port: number;
  /** Server names from each ClientHello (read there: a client that refuses the certificate never completes the handshake). */
  const sni: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'dormouse-espruino-build-'));
    const src = join(work, 'Espruino');
    cpSync(SRC as string, src, { recursive: true });
    const out = execFileSync('bash', [BUILD, '--src', src, '--board', 'LINUX', '--jobs', String(Math.max(1, cpus().length))], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    process.stdout.write(out.split('\n').filter((l) => l.startsWith('build.sh') || l.startsWith('patch-tls')).join('\n') + '\n');
    bin = existsSync(join(src, 'bin/espruino')) ? join(src, 'bin/espruino') : join(src, 'espruino');
    const ca = makeCa('dormouse build-test CA');
    const other = makeCa('some other CA');
    pki = { ca, other, server: issueCert(ca, { commonName: 'localhost', dnsNames: ['localhost'] }) };
    const SNICallback = (name: string, cb: (err: Error | null, ctx?: tls.SecureContext) => void): void => {
      sni.push(name);
      cb(null, undefined);
    };
    server = tls.createServer({ cert: pki.server.cert, key: pki.server.key, ciphers: 'ALL', minVersion: 'TLSv1.2', SNICallback }, (s) => {
      s.on('data', () => s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok'));
      s.on('error', () => undefined);
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as { port: number }).port;
  }, 30 * 60_000);

  afterAll(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const der = (pem: string): string => pem.replace(/-----[^-]+-----/g, '').replace(/\s/g, '');

  async function connect(ca: string, extra = ''): Promise<string[]> {
    const script = `
process.on('uncaughtException', function (e) { print('UNCAUGHT ' + (e && e.message)); });
var s = require('tls').connect({ host: 'localhost', port: ${port}, ca: atob(${JSON.stringify(der(ca))})${extra} });
s.write('GET / HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n');
s.on('data', function (d) { print('DATA ' + JSON.stringify(d)); });
s.on('close', function () { print('CLOSED'); setTimeout(quit, 50); });
setTimeout(quit, 5000);
`;
    const r = await runOnEspruino(script, { bin, timeoutMs: 15_000 });
    process.stdout.write(`  ${r.lines.join('\n  ')}\n`);
    return [...r.lines];
  }

  it('accepts a server signed by the given CA and sends the requested host as SNI', async () => {
    const before = sni.length;
    const lines = await connect(pki.ca.cert);
    expect(lines.some((l) => l.startsWith('DATA ') && l.includes('ok'))).toBe(true);
    expect(sni.slice(before)).toEqual(['localhost']);
  });

  it('refuses a server whose certificate the given CA did not sign (mbedTLS X509 verification failed)', async () => {
    const lines = await connect(pki.other.cert);
    expect(lines.some((l) => l.startsWith('DATA '))).toBe(false);
    expect(lines).toContain('UNCAUGHT mbedtls_ssl_handshake returned -0x2700');
  });

  it('sends `servername` as SNI and checks the certificate against it', async () => {
    const before = sni.length;
    const lines = await connect(pki.ca.cert, ", servername: 'example.com'");
    expect(sni.slice(before)).toEqual(['example.com']);
    expect(lines.some((l) => l.startsWith('DATA '))).toBe(false);
    expect(lines).toContain('UNCAUGHT mbedtls_ssl_handshake returned -0x2700');
  });
});
