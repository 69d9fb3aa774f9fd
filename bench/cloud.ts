/**
 * The local cloud under load: N concurrent clients, each a device's own shadow client
 * (`ShadowClient` over the simulator's HTTP with one kept-alive TLS connection, SigV4 signed with
 * node:crypto), each looping a wake's two requests (GET its shadow, POST reported) until the
 * total is reached. Cloud and clients share this process (as test/cloud/support/load.ts runs
 * them), throttling off; once with `--durability process` (the default) and once with `os`
 * (fsync per commit).
 */
import { performance } from 'node:perf_hooks';
import type { Durability } from '../cloud/index.js';
import { createSimHttp, nodeCrypto } from '../hal/sim/index.js';
import { ShadowClient } from '../src/shadow.js';
import { SigV4Signer } from '../src/sigv4.js';
import type { BenchContext, BenchFigure } from './figure.js';
import { startBenchCloud } from './local-cloud.js';
import { EXAMPLE_KEY } from './sign-request.js';
import { percentiles, round } from './stats.js';

/** Options of {@link loadCloud}. */
export interface CloudLoadOptions {
  /** Concurrent clients (each its own thing and connection). */
  readonly clients: number;
  /** Requests in total (GET + POST pairs, so an even number). */
  readonly requests: number;
  readonly durability: Durability;
}

/** Defaults of {@link CloudLoadOptions}. */
export const CLOUD_LOAD_DEFAULTS = { clients: 50, requests: 4000 };

/** What a load run measured. */
export interface CloudLoadResult {
  readonly options: CloudLoadOptions;
  readonly wallMs: number;
  readonly requests: number;
  readonly failures: number;
  /** Per-request latency (ms). */
  readonly latencies: readonly number[];
  /** TLS connections the clients opened (one each when keep-alive holds). */
  readonly connections: number;
}

/** Run the load against a fresh local cloud. */
export async function loadCloud(o: CloudLoadOptions): Promise<CloudLoadResult> {
  const bench = await startBenchCloud({ throttle: false, durability: o.durability });
  const { cloud } = bench;
  try {
    const crypto = nodeCrypto();
    const signer = new SigV4Signer({ crypto, region: cloud.region, service: 'iotdata', credentials: EXAMPLE_KEY });
    const endpoint = { scheme: 'https' as const, host: '127.0.0.1', port: cloud.port, tls: { ca: cloud.caPem } };
    const clients = Array.from({ length: o.clients }, (_, i) => {
      const http = createSimHttp();
      const thing = `load-${i + 1}`;
      // Every thing has a shadow: a GET answers 200, as for a provisioned device.
      cloud.shadows.update({ thing }, { state: { desired: { sleep: 30 } } }, cloud.credentials.accessKeyId, Date.now());
      return { http, thing, shadow: new ShadowClient({ http, endpoint, auth: { kind: 'sigv4', signer }, clock: { now: Date.now } }) };
    });
    const latencies: number[] = [];
    let claimed = 0;
    let failures = 0;
    const timed = async (call: () => Promise<unknown>): Promise<void> => {
      const a = performance.now();
      try {
        await call();
      } catch {
        failures++;
      }
      latencies.push(performance.now() - a);
    };
    const t0 = performance.now();
    await Promise.all(
      clients.map(async (c) => {
        let wake = 0;
        while (claimed + 2 <= o.requests) {
          claimed += 2;
          wake++;
          await timed(() => c.shadow.get(c.thing));
          await timed(() => c.shadow.update(c.thing, { state: { reported: { sleep: 30, status: 'done: nothing to do', device: { wakes: wake } } } }));
        }
      }),
    );
    const wallMs = performance.now() - t0;
    let connections = 0;
    for (const c of clients) {
      connections += c.http.stats.connections;
      c.http.close();
    }
    return { options: o, wallMs, requests: latencies.length, failures, latencies, connections };
  } finally {
    await bench.close();
  }
}

/** The figures of one load run. */
export function cloudFigures(r: CloudLoadResult): BenchFigure[] {
  const label = `durability ${r.options.durability}`;
  const p = percentiles(r.latencies);
  return [
    {
      name: `${label}: signed requests/s`,
      value: Math.round((r.requests * 1000) / r.wallMs),
      unit: 'req/s',
      note: `${r.options.clients} keep-alive clients, ${r.requests} requests (GET+POST), ${r.connections} TLS connections, clients in-process`,
    },
    { name: `${label}: latency p50`, value: round(p.p50), unit: 'ms' },
    { name: `${label}: latency p99`, value: round(p.p99), unit: 'ms' },
    { name: `${label}: failed requests`, value: r.failures, unit: '', budget: 0 },
  ];
}

/** The `cloud` benchmark. */
export async function run(ctx: BenchContext): Promise<BenchFigure[]> {
  const out: BenchFigure[] = [];
  for (const durability of ['process', 'os'] as const) {
    const r = await loadCloud({ ...CLOUD_LOAD_DEFAULTS, durability });
    ctx.progress(`cloud: durability ${durability}: ${r.requests} requests in ${(r.wallMs / 1000).toFixed(1)} s`);
    out.push(...cloudFigures(r));
  }
  return out;
}
