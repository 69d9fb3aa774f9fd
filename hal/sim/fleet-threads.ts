/**
 * A fleet spread over worker threads, for load tests bigger than one event loop can drive: each
 * worker runs its share of the devices (round robin, so the staggered first wakes spread evenly)
 * with its own copy of the firmware, and all of them draw from one shared count of wakes, so the
 * total is exact. Wake records come back to the caller as they happen.
 *
 * Workers load the compiled simulator (`fleet-worker.js` next to this module): from TypeScript
 * sources (tests) use {@link runFleet} in one thread instead.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WakeRecord } from './runner.js';
import type { SimLogLevel } from './log.js';
import type { MachineWrites } from './machine-store.js';
import type { FleetOptions } from './fleet.js';

/** What a worker needs to build one device (plain data: it crosses a thread boundary). */
export interface ThreadDevice {
  readonly dir: string;
  readonly thing: string;
  readonly speed: number;
  readonly clockOffsetMs: number;
  readonly driftPpm: number;
  readonly logLevel: SimLogLevel;
  readonly machineWrites: MachineWrites;
  readonly durable: boolean;
}

/** Options of {@link runFleetThreads}. */
export interface ThreadedFleetOptions {
  readonly threads: number;
  readonly appFile: string;
  readonly devices: readonly ThreadDevice[];
  readonly wakes?: number;
  readonly staggerMs: number;
  readonly abortGraceMs?: number;
  /** Wakes running at once per thread (see {@link FleetOptions.maxAwake}). */
  readonly maxAwake?: number;
  readonly signal?: AbortSignal;
  readonly onWake?: (device: number, record: WakeRecord) => void;
  /** Device log lines (when a device's log level lets any through). */
  readonly onLog?: (device: number, line: string) => void;
}

/** What the main thread hands a worker. */
export interface WorkerInput {
  readonly appFile: string;
  /** The worker's devices and their index in the whole fleet. */
  readonly devices: readonly { readonly index: number; readonly device: ThreadDevice }[];
  readonly staggerMs: number;
  readonly abortGraceMs?: number;
  readonly maxAwake?: number;
  /** One Int32: wakes claimed so far by the whole fleet. */
  readonly counter: SharedArrayBuffer;
  /** Total wakes, or -1 for no limit. */
  readonly wakes: number;
}

/** Messages from a worker. */
export type WorkerMessage =
  | { readonly type: 'wake'; readonly device: number; readonly record: WakeRecord }
  | { readonly type: 'log'; readonly device: number; readonly line: string }
  | { readonly type: 'done'; readonly wakes: number }
  | { readonly type: 'error'; readonly message: string };

/** The compiled worker script, or undefined when running from sources. */
export function workerScript(): URL | undefined {
  const url = new URL('./fleet-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

/** Run the fleet on `threads` worker threads; resolves with the wakes run. */
export async function runFleetThreads(o: ThreadedFleetOptions): Promise<number> {
  const script = workerScript();
  if (script === undefined) throw new Error('worker threads need the compiled simulator (fleet-worker.js); run `npm run build`, or use one thread');
  const counter = new SharedArrayBuffer(4);
  const threads = Math.max(1, Math.min(o.threads, o.devices.length));
  const groups: { index: number; device: ThreadDevice }[][] = Array.from({ length: threads }, () => []);
  o.devices.forEach((device, index) => (groups[index % threads] as { index: number; device: ThreadDevice }[]).push({ index, device }));
  let total = 0;
  let seen = 0;
  const stopAll = (): void => {
    for (const w of workers) w.worker.postMessage('stop');
  };
  const workers = groups.map((devices) => {
    const input: WorkerInput = {
      appFile: o.appFile,
      devices,
      staggerMs: o.staggerMs,
      ...(o.abortGraceMs !== undefined ? { abortGraceMs: o.abortGraceMs } : {}),
      ...(o.maxAwake !== undefined ? { maxAwake: o.maxAwake } : {}),
      counter,
      wakes: o.wakes ?? -1,
    };
    const worker = new Worker(script, { workerData: input });
    const finished = new Promise<void>((resolve, reject) => {
      let failed: Error | undefined;
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'wake') {
          o.onWake?.(m.device, m.record);
          // Every wake of the total is done: wake the sleeping devices of every worker to stop.
          if (++seen === o.wakes) stopAll();
        }
        else if (m.type === 'log') o.onLog?.(m.device, m.line);
        else if (m.type === 'done') total += m.wakes;
        else failed = new Error(`fleet worker: ${m.message}`);
      });
      worker.on('error', (e) => (failed = e));
      worker.on('exit', (code) => (failed !== undefined ? reject(failed) : code === 0 ? resolve() : reject(new Error(`fleet worker exited with code ${code}`))));
    });
    return { worker, finished };
  });
  o.signal?.addEventListener('abort', stopAll, { once: true });
  try {
    await Promise.all(workers.map((w) => w.finished));
  } finally {
    o.signal?.removeEventListener('abort', stopAll);
  }
  return total;
}
