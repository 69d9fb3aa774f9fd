/**
 * Runs a program on the real Espruino interpreter (the Linux build named by ESPRUINO_BIN) in a
 * given working directory: Storage is `./espruino.flash` there, so successive runs in one
 * directory are successive boots of one board. The benchmarks mark what they print with `@@`.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What one run printed. */
export interface EspruinoOutput {
  /** stdout split into lines, `\r` removed (banner and prompt included). */
  readonly lines: readonly string[];
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  /** Wall time of the process (ms). */
  readonly ms: number;
}

/** The interpreter from the environment, or undefined when ESPRUINO_BIN is unset or missing. */
export function espruinoBin(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const bin = env['ESPRUINO_BIN'];
  return bin !== undefined && bin !== '' && existsSync(bin) ? bin : undefined;
}

/** Run `program` (written to `cwd/program.js`) with `cwd` as working directory. */
export function runEspruino(bin: string, cwd: string, program: string, timeoutMs = 60_000): Promise<EspruinoOutput> {
  const file = join(cwd, 'program.js');
  writeFileSync(file, program);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [file], { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    const out: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      const lines = Buffer.concat(out).toString('latin1').split('\n').map((l) => l.replace(/\r/g, ''));
      resolve({ lines, exitCode, timedOut, ms: Date.now() - started });
    });
  });
}

/** The rest of the first line containing `marker` (e.g. `@@memory `), or undefined. */
export function markedValue(lines: readonly string[], marker: string): string | undefined {
  for (const l of lines) {
    const at = l.indexOf(marker);
    if (at >= 0) return l.slice(at + marker.length).trim();
  }
  return undefined;
}

/** The `Uncaught …` lines of a run (errors nobody caught). */
export function uncaught(lines: readonly string[]): string[] {
  return lines.filter((l) => l.includes('Uncaught '));
}
