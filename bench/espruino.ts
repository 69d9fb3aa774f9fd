/**
 * The shipped ESP32 bundle (`dist/esp32.min.js`) on the real Espruino interpreter (the Linux
 * build named by ESPRUINO_BIN) against a local cloud in this process, as
 * test/esp32/espruino-real.test.ts runs it (same prelude: Wifi and ESP32 doubled, everything else
 * real: parser, tls, dgram, crypto, Storage). Three full wakes of one board: a power-on wake with
 * the seed's desired state (SNTP + GET + 2 blinks + POST), then two timer wakes with nothing to do.
 *
 * Figures: time awake (the firmware's own `awake=` figure) of the first and of an idle wake;
 * JsVars in use at the deep-sleep call (`process.memory()`, after a garbage collection) and the
 * peak while awake (sampled every 10 ms between tasks from the end of loading to the sleep, in a
 * second run of the same wakes so the sampling does not disturb the timings), as ESP32 bytes
 * (14 B/JsVar) against the 16,383-JsVar ceiling of an ESP32; and SigV4 sign time on Espruino
 * (bench/espruino-sign.ts).
 *
 * The Linux build keeps function code in RAM (a board running from Storage keeps it in flash),
 * so the JsVar figures are upper bounds for a board; its timings are a fast PC's, not an ESP32's.
 * While the bundle's top level runs, the Linux build also holds the program text as a string
 * (a board maps `.bootcde` from flash): that moment is left out of the peak.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningCloud } from '../cloud/index.js';
import { BUDGETS, ESP32_BYTES_PER_JSVAR, ESP32_MAX_JSVARS } from './budgets.js';
import { deviceFiles, prelude, WIFI } from './espruino-linux-board.js';
import { espruinoBin, markedValue, runEspruino, uncaught } from './espruino-run.js';
import { espruinoSignFigures } from './espruino-sign.js';
import type { BenchContext, BenchFigure } from './figure.js';
import { skippedFigure } from './figure.js';
import { startBenchCloud } from './local-cloud.js';

/** The seed's desired state: what a new board finds on its first wake. */
const SEED_DESIRED = { sleep: 30, signal: 2, test: 'none', test_param: 1000 };
/** `ESP32.getWakeupCause()`: power-on, then the deep-sleep timer. */
const CAUSES = [0, 4, 4] as const;
/** How often the peak run samples `process.memory()` (ms). */
const SAMPLE_MS = 10;

/**
 * ES5 appended to the prelude in the peak run: samples the JsVars in use and prints the peak when
 * the firmware calls `ESP32.deepSleep` (before the prelude's double ends the program).
 */
const PEAK_SAMPLER = `
(function () {
  var peak = 0, printed = false;
  function sample() { var u = process.memory().usage; if (u > peak) peak = u; }
  setInterval(sample, ${SAMPLE_MS});
  var sleep = ESP32.deepSleep;
  ESP32.deepSleep = function (us) {
    sample();
    if (!printed) { printed = true; print('@@peak ' + peak); }
    sleep(us);
  };
})();
`;

/** One wake on the interpreter, as read from its output. */
export interface EspruinoWake {
  readonly cause: number;
  /** The firmware's `awake=…ms`, `out=…B`, `in=…B` of the wake. */
  readonly awakeMs: number;
  readonly bytesOut: number;
  readonly bytesIn: number;
  /** `process.memory().usage` at the deep-sleep call (JsVars). */
  readonly sleepJsVars: number;
  /** Sampled peak (peak run only). */
  readonly peakJsVars?: number;
  readonly status: string;
}

const SUMMARY_RE = / awake=(\d+)ms out=(\d+)B in=(\d+)B \| (.*)$/;

/** Parse one wake's output; throws with what is missing. */
export function parseWake(cause: number, lines: readonly string[]): EspruinoWake {
  const errors = uncaught(lines);
  if (errors.length > 0) throw new Error(`wake (cause ${cause}) on Espruino: ${errors[0]}`);
  const summary = lines.map((l) => SUMMARY_RE.exec(l)).find((m) => m !== null);
  const memory = markedValue(lines, '@@memory ');
  if (summary === undefined || summary === null || memory === undefined) {
    throw new Error(`wake (cause ${cause}) on Espruino: expected the wake summary and @@memory lines, got: ${lines.filter((l) => l.trim() !== '').slice(-4).join(' / ')}`);
  }
  const peak = markedValue(lines, '@@peak ');
  return {
    cause,
    awakeMs: Number(summary[1]),
    bytesOut: Number(summary[2]),
    bytesIn: Number(summary[3]),
    sleepJsVars: (JSON.parse(memory) as { usage: number }).usage,
    ...(peak !== undefined ? { peakJsVars: Number(peak) } : {}),
    status: summary[4] as string,
  };
}

/** Three wakes of a new board (its own thing and Storage) against `cloud`. */
async function boardWakes(bin: string, bundle: string, cloud: RunningCloud, dir: string, thing: string, sampler: string): Promise<EspruinoWake[]> {
  cloud.shadows.update({ thing }, { state: { desired: SEED_DESIRED } }, cloud.credentials.accessKeyId, Date.now());
  const files = deviceFiles(cloud, WIFI, { thing });
  mkdirSync(dir, { recursive: true });
  const out: EspruinoWake[] = [];
  for (const cause of CAUSES) {
    const run = await runEspruino(bin, dir, `${prelude(cause, files)}${sampler}\n${bundle}`);
    if (run.timedOut) throw new Error(`wake (cause ${cause}) on Espruino: no deep sleep within 60 s`);
    out.push(parseWake(cause, run.lines));
  }
  return out;
}

/** Figures of the timing run and the peak run. */
export function wakeFigures(timed: readonly EspruinoWake[], sampled: readonly EspruinoWake[]): BenchFigure[] {
  const [first, ...idle] = timed;
  if (first === undefined || idle.length === 0) throw new Error('expected a first wake and idle wakes');
  const ceiling = ESP32_MAX_JSVARS;
  const share = (v: number): string => `${Math.round((v / ceiling) * 100)} % of ${ceiling.toLocaleString('en-US')} JsVars`;
  const atSleep = Math.max(...timed.map((w) => w.sleepJsVars));
  const peak = Math.max(...sampled.map((w) => w.peakJsVars ?? 0));
  return [
    { name: 'first wake awake (Linux)', value: first.awakeMs, unit: 'ms', note: 'power-on: SNTP + GET + 2 blinks (600 ms) + POST' },
    { name: 'idle wake awake (Linux)', value: Math.max(...idle.map((w) => w.awakeMs)), unit: 'ms', note: `timer, nothing to do; max of ${idle.length}` },
    { name: 'idle wake bytes out', value: Math.max(...idle.map((w) => w.bytesOut)), unit: 'B', note: 'HTTP incl. headers, not TLS/SNTP' },
    { name: 'idle wake bytes in', value: Math.max(...idle.map((w) => w.bytesIn)), unit: 'B', note: 'HTTP incl. headers, not TLS/SNTP' },
    { name: 'JsVars in use at deep sleep', value: atSleep, unit: 'JsVars', budget: BUDGETS.esp32SleepJsVars, note: `max of ${timed.length} wakes, after GC; ${share(atSleep)}` },
    { name: 'JsVars at deep sleep, as ESP32 bytes', value: atSleep * ESP32_BYTES_PER_JSVAR, unit: 'B', note: `${ESP32_BYTES_PER_JSVAR} B/JsVar, of ${(ceiling * ESP32_BYTES_PER_JSVAR).toLocaleString('en-US')} B` },
    { name: 'peak JsVars in use while awake', value: peak, unit: 'JsVars', budget: BUDGETS.esp32PeakJsVars, note: `max of ${sampled.length} wakes, sampled every ${SAMPLE_MS} ms after GC; ${share(peak)}` },
    { name: 'peak JsVars, as ESP32 bytes', value: peak * ESP32_BYTES_PER_JSVAR, unit: 'B', note: `${ESP32_BYTES_PER_JSVAR} B/JsVar, of ${(ceiling * ESP32_BYTES_PER_JSVAR).toLocaleString('en-US')} B` },
  ];
}

/** Names of the rows, for the skipped case. */
const ROWS = ['first wake awake (Linux)', 'idle wake awake (Linux)', 'JsVars in use at deep sleep', 'peak JsVars in use while awake', 'sigv4 sign on Espruino'];

/** The `espruino` benchmark. */
export async function run(ctx: BenchContext): Promise<BenchFigure[]> {
  const bin = espruinoBin(ctx.env);
  if (bin === undefined) return ROWS.map((name) => skippedFigure(name, 'set ESPRUINO_BIN to an Espruino Linux binary'));
  const bundleFile = join(ctx.root, 'dist/esp32.min.js');
  if (!existsSync(bundleFile)) throw new Error(`${bundleFile} not found: run \`npm run build\` first`);
  const bundle = readFileSync(bundleFile, 'utf8');
  // AWS's throttling is off, as in the ESP32 tests (a board asks two requests per wake anyway).
  const bench = await startBenchCloud({ throttle: false });
  let figures: BenchFigure[];
  try {
    const timed = await boardWakes(bin, bundle, bench.cloud, join(bench.dir, 'board-timed'), 'esp-bench-timed', '');
    ctx.progress(`espruino: wakes ${timed.map((w) => `${w.awakeMs} ms`).join(', ')} awake; sampling memory`);
    const sampled = await boardWakes(bin, bundle, bench.cloud, join(bench.dir, 'board-sampled'), 'esp-bench-sampled', PEAK_SAMPLER);
    figures = wakeFigures(timed, sampled);
  } finally {
    await bench.close();
  }
  return [...figures, ...(await espruinoSignFigures(ctx.root, bin))];
}
