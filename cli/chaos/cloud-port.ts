/**
 * The local cloud of a chaos run, as the run needs it: desired updates for the driver, the
 * reported section for the convergence check, the final history for the acknowledgment check, and
 * two event streams (faults that reached the cloud, updates it acknowledged in full).
 *
 * Built from the compiled CLI it runs in a worker thread of its own (`cloud-worker.js`): the cloud
 * and the simulated devices then use both cores, and a device's HTTP timeout is not eaten by the
 * cloud's share of one event loop. From TypeScript sources (tests) it runs in this thread.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { startCloud } from '../../cloud/index.js';
import type { CloudExchange, RunningCloud } from '../../cloud/index.js';
import { isPlainObject } from '../../src/json.js';
import type { JsonObject } from '../../src/json.js';
import type { CloudFinal } from './history.js';

/** An update's outcome, as the driver needs it. */
export type UpdateResult = { readonly ok: true; readonly accepted: JsonObject } | { readonly ok: false; readonly status: number; readonly message: string };

/** What the run is told as the cloud works. */
export interface ChaosCloudEvents {
  /** A request carrying the fault directive `id` reached the cloud. */
  readonly onArrival: (id: string) => void;
  /** The cloud sent a 200 for an update of `thing` in full. */
  readonly onAck: (thing: string, version: number) => void;
}

/** The cloud of a chaos run. */
export interface ChaosCloud {
  /** Its data directory (devices are provisioned from it). */
  readonly dataDir: string;
  /** Where it runs. */
  readonly thread: 'worker' | 'main';
  /** Change `thing`'s desired state as the key `keyId` at the server time `nowMs`. */
  update(thing: string, desired: JsonObject, keyId: string, nowMs: number): Promise<UpdateResult>;
  /** The reported section of `thing`'s classic shadow now. */
  reported(thing: string): Promise<JsonObject>;
  /** What the cloud kept of `thing`. */
  final(thing: string): Promise<CloudFinal>;
  /** Resolves once every event the cloud raised before this call has been delivered. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** Start the cloud in `dataDir` (in a worker thread when `worker` and the compiled script exists). */
export async function startChaosCloud(dataDir: string, events: ChaosCloudEvents, worker: boolean): Promise<ChaosCloud> {
  const script = cloudWorkerScript();
  return worker && script !== undefined ? workerCloud(script, dataDir, events) : mainCloud(dataDir, events);
}

/** The compiled worker script, when this module runs compiled. */
export function cloudWorkerScript(): URL | undefined {
  const url = new URL('./cloud-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

/** The version of a 200 answer to an update, if `e` is one. */
function ackOf(e: CloudExchange): number | undefined {
  if (!e.delivered || e.method !== 'POST' || e.status !== 200 || e.thing === undefined) return undefined;
  try {
    const v = (JSON.parse(e.body) as { version?: unknown }).version;
    return typeof v === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Start the local cloud the way a chaos run wants it; `events` hears of faults and acknowledgments. */
export function startRunCloud(dataDir: string, events: ChaosCloudEvents): Promise<RunningCloud> {
  return startCloud({
    dataDir,
    host: '127.0.0.1',
    port: 0,
    ntpPort: 0,
    env: {},
    throttle: false,
    historyPerShadow: Number.MAX_SAFE_INTEGER,
    faults: {
      directives: true,
      observe: (e) => {
        const v = ackOf(e);
        if (v !== undefined && e.thing !== undefined) events.onAck(e.thing, v);
      },
      onFault: (f) => {
        if (f.id !== undefined) events.onArrival(f.id);
      },
    },
  });
}

/** The update, reported section and final state of a cloud in this thread. */
export function cloudCalls(cloud: RunningCloud): { update: ChaosCloud['update']; reported: (thing: string) => JsonObject; final: (thing: string) => CloudFinal } {
  return {
    update: (thing, desired, keyId, nowMs) => {
      const o = cloud.shadows.update({ thing }, { state: { desired } }, keyId, nowMs);
      return Promise.resolve(o.ok ? { ok: true, accepted: o.accepted } : { ok: false, status: o.status, message: o.message });
    },
    reported: (thing) => {
      const r = cloud.shadows.stored({ thing })?.state.reported;
      return isPlainObject(r) ? r : {};
    },
    final: (thing) => {
      const history = new Map<number, JsonObject | null>();
      for (const e of cloud.store.history(thing, '')) {
        if (e.op !== 'update') continue;
        const change = e.change === null ? null : (JSON.parse(e.change) as unknown);
        history.set(e.version, isPlainObject(change) ? change : null);
      }
      const s = cloud.shadows.stored({ thing });
      return { history, reported: isPlainObject(s?.state.reported) ? (s?.state.reported as JsonObject) : {}, desired: isPlainObject(s?.state.desired) ? (s?.state.desired as JsonObject) : {} };
    },
  };
}

async function mainCloud(dataDir: string, events: ChaosCloudEvents): Promise<ChaosCloud> {
  const cloud = await startRunCloud(dataDir, events);
  const calls = cloudCalls(cloud);
  return {
    dataDir,
    thread: 'main',
    update: calls.update,
    reported: (thing) => Promise.resolve(calls.reported(thing)),
    final: (thing) => Promise.resolve(calls.final(thing)),
    sync: () => Promise.resolve(),
    close: () => cloud.close(),
  };
}

/** Messages between the run and its cloud worker. */
export type CloudWorkerRequest = { readonly id: number; readonly op: 'update'; readonly args: [string, JsonObject, string, number] } | { readonly id: number; readonly op: 'reported' | 'final'; readonly args: [string] } | { readonly id: number; readonly op: 'ping' | 'close'; readonly args: [] };
/** Messages from the cloud worker. */
export type CloudWorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'reply'; readonly id: number; readonly result?: unknown; readonly error?: string }
  | { readonly type: 'arrival'; readonly id: string }
  | { readonly type: 'ack'; readonly thing: string; readonly version: number };

function workerCloud(script: URL, dataDir: string, events: ChaosCloudEvents): Promise<ChaosCloud> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: { dataDir } });
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
    let next = 0;
    let ready = false;
    const call = <T>(op: CloudWorkerRequest['op'], ...args: unknown[]): Promise<T> =>
      new Promise<T>((res, rej) => {
        const id = ++next;
        pending.set(id, { resolve: res as (v: unknown) => void, reject: rej });
        worker.postMessage({ id, op, args });
      });
    worker.on('message', (m: CloudWorkerMessage) => {
      if (m.type === 'arrival') events.onArrival(m.id);
      else if (m.type === 'ack') events.onAck(m.thing, m.version);
      else if (m.type === 'reply') {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.error !== undefined) p?.reject(new Error(m.error));
        else p?.resolve(m.result);
      } else if (m.type === 'failed') reject(new Error(`chaos cloud: ${m.message}`));
      else if (m.type === 'ready') {
        ready = true;
        resolve({
          dataDir,
          thread: 'worker',
          update: (thing, desired, keyId, nowMs) => call<UpdateResult>('update', thing, desired, keyId, nowMs),
          reported: (thing) => call<JsonObject>('reported', thing),
          final: (thing) => call<CloudFinal>('final', thing),
          sync: () => call<void>('ping'),
          close: async () => {
            await call<void>('close');
            await worker.terminate();
          },
        });
      }
    });
    worker.on('error', (e) => {
      for (const p of pending.values()) p.reject(e);
      pending.clear();
      if (!ready) reject(e);
    });
  });
}
