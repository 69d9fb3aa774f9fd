/**
 * A fleet worker thread (see `fleet-threads.ts`): runs its devices with {@link runFleet},
 * claiming wakes from the fleet's shared counter, and posts every wake record to the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadAppBundle } from './app-bundle.js';
import { messageOf } from './errors.js';
import { runFleet } from './fleet.js';
import type { WorkerInput, WorkerMessage } from './fleet-threads.js';

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('fleet-worker.js runs as a worker thread only');
  const input = workerData as WorkerInput;
  const post = (m: WorkerMessage): void => port.postMessage(m);
  const ac = new AbortController();
  port.on('message', (m: unknown) => {
    if (m === 'stop') ac.abort();
  });
  try {
    const app = loadAppBundle(input.appFile);
    const shared = new Int32Array(input.counter);
    const wakes = await runFleet({
      devices: input.devices.map(({ index, device }) => ({
        ...device,
        app,
        log: (_level, line) => post({ type: 'log', device: index, line }),
      })),
      staggerMs: input.staggerMs,
      startDelays: input.devices.map(({ index }) => index * input.staggerMs),
      claim: () => input.wakes < 0 || Atomics.add(shared, 0, 1) < input.wakes,
      ...(input.abortGraceMs !== undefined ? { abortGraceMs: input.abortGraceMs } : {}),
      ...(input.maxAwake !== undefined ? { maxAwake: input.maxAwake } : {}),
      signal: ac.signal,
      onWake: (i, record) => post({ type: 'wake', device: (input.devices[i] as WorkerInput['devices'][number]).index, record }),
    });
    post({ type: 'done', wakes });
  } catch (e) {
    post({ type: 'error', message: messageOf(e) });
  } finally {
    port.close();
  }
}

void main();
