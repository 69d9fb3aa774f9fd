/**
 * The chaos run's cloud in a worker thread (see `cloud-port.ts`): starts the local cloud with
 * fault injection, answers the run's calls, and posts the faults that reached it and the updates
 * it acknowledged. Messages go out in order: a reply to a `ping` comes after every event raised
 * before it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { cloudCalls, startRunCloud } from './cloud-port.js';
import type { CloudWorkerMessage, CloudWorkerRequest } from './cloud-port.js';

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('cloud-worker.js runs as a worker thread only');
  const post = (m: CloudWorkerMessage): void => port.postMessage(m);
  const { dataDir } = workerData as { dataDir: string };
  let cloud;
  try {
    cloud = await startRunCloud(dataDir, {
      onArrival: (id) => post({ type: 'arrival', id }),
      onAck: (thing, version) => post({ type: 'ack', thing, version }),
    });
  } catch (e) {
    post({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
    return;
  }
  const running = cloud;
  const calls = cloudCalls(running);
  port.on('message', (r: CloudWorkerRequest) => {
    const reply = (result: unknown): void => post({ type: 'reply', id: r.id, result });
    const fail = (e: unknown): void => post({ type: 'reply', id: r.id, error: e instanceof Error ? e.message : String(e) });
    try {
      switch (r.op) {
        case 'update':
          calls.update(...r.args).then(reply, fail);
          break;
        case 'reported':
          reply(calls.reported(r.args[0]));
          break;
        case 'final':
          reply(calls.final(r.args[0]));
          break;
        case 'ping':
          reply(undefined);
          break;
        case 'close':
          running.close().then(() => {
            reply(undefined);
            port.close();
          }, fail);
          break;
      }
    } catch (e) {
      fail(e);
    }
  });
  post({ type: 'ready' });
}

void main();
