/**
 * A real NTP server for tests: `chronyd` in the foreground on a free loopback UDP port, serving
 * the host's clock (`local stratum 8`) without touching it (`-x`), with every file in a temp dir.
 *
 * Works as root and as an ordinary user:
 * - root: chronyd would drop privileges to `_chrony`, who cannot write our temp dir, so `-u root`
 *   keeps it as root (harmless: `-x` disables clock control, nothing listens beyond 127.0.0.1).
 * - non-root: `-U` skips chronyd's "must be root" check; it needs no capability for this config.
 * `cmdport 0` and `bindcmdaddress /` disable both command sockets (no /run/chrony needed).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Path of chronyd (override with `CHRONYD`). */
export const CHRONYD = process.env['CHRONYD'] ?? '/usr/sbin/chronyd';

/** True when chronyd is installed. */
export function chronydAvailable(): boolean {
  return existsSync(CHRONYD);
}

/** A running chronyd. */
export interface Chrony {
  readonly host: string;
  readonly port: number;
  /** What chronyd printed (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Send one SNTP client packet; resolve true when anything comes back within `ms`. */
function probe(port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const p = Buffer.alloc(48);
    p[0] = 0x23;
    p.writeUInt32BE(Math.floor(Date.now() / 1000) + 2208988800, 40);
    const done = (v: boolean): void => {
      clearTimeout(t);
      s.close();
      resolve(v);
    };
    const t = setTimeout(() => done(false), ms);
    s.on('message', () => done(true));
    s.on('error', () => done(false));
    s.send(p, port, '127.0.0.1');
  });
}

/** Start chronyd; resolves once it answers SNTP requests (rejects with its output otherwise). */
export async function startChrony(): Promise<Chrony> {
  const dir = mkdtempSync(join(tmpdir(), 'dormouse-chrony-'));
  const port = await freeUdpPort();
  const conf = join(dir, 'chrony.conf');
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bindaddress 127.0.0.1',
      'local stratum 8',
      'allow 127.0.0.1',
      'cmdport 0',
      'bindcmdaddress /',
      `driftfile ${join(dir, 'drift')}`,
      `pidfile ${join(dir, 'chronyd.pid')}`,
      '',
    ].join('\n'),
  );
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const args = ['-d', '-x', ...(root ? ['-u', 'root'] : ['-U']), '-f', conf];
  const child: ChildProcess = spawn(CHRONYD, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  let exited = false;
  const exit = new Promise<void>((r) =>
    child.on('exit', () => {
      exited = true;
      r();
    }),
  );
  child.on('error', (e) => (out += `spawn error: ${e.message}\n`));

  const stop = async (): Promise<void> => {
    if (!exited && child.pid !== undefined) child.kill('SIGTERM');
    await Promise.race([exit, new Promise((r) => setTimeout(r, 3000))]);
    if (!exited) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 8000;
  while (Date.now() < deadline && !exited) {
    if (await probe(port, 200)) return { host: '127.0.0.1', port, output: () => out, stop };
  }
  await stop();
  throw new Error(`chronyd did not answer on 127.0.0.1:${port} (${CHRONYD} ${args.join(' ')}):\n${out}`);
}
