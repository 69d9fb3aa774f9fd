/**
 * Runs JavaScript on the real Espruino interpreter (the Linux build) when `ESPRUINO_BIN` names it;
 * tests that need it skip otherwise (`describe.skipIf(!ESPRUINO_BIN)`).
 *
 * How the Linux binary behaves (targets/linux/main.c, measured on 2v29):
 * - `espruino FILE` evaluates the file, then runs the event loop while timers are pending (promise
 *   jobs and setTimeout callbacks), then exits: 1 when the top-level evaluation threw, 0
 *   otherwise, even when a promise rejection or a callback threw later (those print
 *   `Uncaught …` and are collected in `uncaught`).
 * - Everything goes to stdout, with `\r\n` line ends, after a banner ending in the
 *   "http://espruino.com/Donate" line, and a `>` prompt (plus `ESC[J`) at the end.
 * - Storage lives in `./espruino.flash` of the current directory: every run gets a fresh temp dir.
 * - `quit()` stops the event loop early.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The interpreter binary from `ESPRUINO_BIN`, when set and present. */
export const ESPRUINO_BIN: string | undefined =
  process.env.ESPRUINO_BIN !== undefined && process.env.ESPRUINO_BIN !== '' && existsSync(process.env.ESPRUINO_BIN)
    ? process.env.ESPRUINO_BIN
    : undefined;

/** Options of {@link runOnEspruino}. */
export interface EspruinoRunOptions {
  /** Kill the interpreter after this long (ms). */
  readonly timeoutMs?: number;
  /** Files to create in the run's working directory first (name → contents). */
  readonly files?: Readonly<Record<string, string>>;
  /** The interpreter; defaults to {@link ESPRUINO_BIN}. */
  readonly bin?: string;
}

/** What one run printed and how it ended. */
export interface EspruinoRun {
  /** The program's output: banner and prompt removed, `\n` line ends. */
  readonly output: string;
  /** `output` split into lines (no trailing empty line). */
  readonly lines: readonly string[];
  /** Each `Uncaught …` report (an exception nobody caught, at top level or in a callback). */
  readonly uncaught: readonly string[];
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly stderr: string;
  readonly durationMs: number;
}

const DEFAULTS = { timeoutMs: 20_000 } as const;

const BANNER_END = 'http://espruino.com/Donate';

/** Strips Espruino's banner, prompt and terminal escapes from raw stdout. */
export function cleanEspruinoOutput(raw: string): string {
  let text = raw.replace(/\r\n/g, '\n');
  const banner = text.indexOf(BANNER_END);
  if (banner >= 0) {
    text = text.slice(banner + BANNER_END.length);
    text = text.replace(/^\n\n?/, '');
  }
  // After an uncaught error Espruino prints a '>' prompt, then erases it ('\r' + ESC[J) before
  // the next output: drop what such an erase clears, then any other escape and stray '\r'.
  // eslint-disable-next-line no-control-regex
  text = text.replace(/[^\n]*\r\u001b\[J/g, '');
  // eslint-disable-next-line no-control-regex
  text = text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '');
  // The interactive prompt ('>') Espruino prints when the event loop ends, possibly mid-line.
  text = text.replace(/(^|\n)>\s*$/, '$1');
  return text;
}

/** Runs a file on Espruino with its own temp dir as working directory (so `espruino.flash` is fresh). */
export function runFileOnEspruino(file: string, options: EspruinoRunOptions = {}): Promise<EspruinoRun> {
  const bin = options.bin ?? ESPRUINO_BIN;
  if (bin === undefined) return Promise.reject(new Error('runFileOnEspruino: ESPRUINO_BIN is not set (or does not exist)'));
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const cwd = mkdtempSync(join(tmpdir(), 'dormouse-espruino-'));
  for (const [name, contents] of Object.entries(options.files ?? {})) writeFileSync(join(cwd, name), contents);
  const started = Date.now();
  return new Promise<EspruinoRun>((resolve, reject) => {
    const child = spawn(bin, [file], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      rmSync(cwd, { recursive: true, force: true });
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      rmSync(cwd, { recursive: true, force: true });
      const output = cleanEspruinoOutput(Buffer.concat(out).toString('utf8'));
      const lines = output === '' ? [] : output.replace(/\n$/, '').split('\n');
      resolve({
        output,
        lines,
        uncaught: lines.filter((l) => l.startsWith('Uncaught ')),
        exitCode: code,
        timedOut,
        stderr: Buffer.concat(err).toString('utf8'),
        durationMs: Date.now() - started,
      });
    });
  });
}

/** Runs `code` on Espruino (written to a temp file first). */
export async function runOnEspruino(code: string, options: EspruinoRunOptions = {}): Promise<EspruinoRun> {
  const dir = mkdtempSync(join(tmpdir(), 'dormouse-espruino-src-'));
  const file = join(dir, 'program.js');
  writeFileSync(file, code);
  try {
    return await runFileOnEspruino(file, options);
  } finally {
    rmSync(dirname(file), { recursive: true, force: true });
  }
}

/**
 * JS that, appended to a bundle, prints the interpreter's memory use as one line
 * `@@memory {"usage":…,"total":…,"free":…,"blocksize":…}` (JsVars; blocksize is bytes per JsVar).
 * `process.memory()` runs a garbage collection first.
 */
export const PRINT_MEMORY = 'print("@@memory " + JSON.stringify(process.memory()));\n';

/** Parses the `@@memory` line of {@link PRINT_MEMORY} from a run's lines. */
export function parseMemoryLine(lines: readonly string[]): { usage: number; total: number; free: number; blocksize: number } | undefined {
  const line = lines.find((l) => l.startsWith('@@memory '));
  if (line === undefined) return undefined;
  const m = JSON.parse(line.slice('@@memory '.length)) as { usage: number; total: number; free: number; blocksize: number };
  return { usage: m.usage, total: m.total, free: m.free, blocksize: m.blocksize };
}
