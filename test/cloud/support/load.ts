/**
 * A quick load loop against an in-process local cloud (not a test): a fleet of simulated devices,
 * each wake a signed GET of its shadow then a signed POST of reported, over keep-alive HTTPS.
 *
 *   node --import ./test/cloud/support/register-ts.mjs test/cloud/support/load.ts [devices] [wakes] [process|os]
 *
 * Prints wakes, requests, wall time, requests/s and latency percentiles, plus the cold start time.
 */
import * as https from 'node:https';
import { performance } from 'node:perf_hooks';
import { startCloud } from '../../../cloud/index.js';
import type { Durability } from '../../../cloud/index.js';
import { EXAMPLE_CREDENTIALS, send, tempDir } from './cloud-fixture.js';

const devices = Number(process.argv[2] ?? 200);
const wakes = Number(process.argv[3] ?? 2000);
const durability = (process.argv[4] ?? 'process') as Durability;

const t0 = performance.now();
const cloud = await startCloud({ port: 0, ntpPort: 0, dataDir: tempDir('dormouse-load-'), credentials: EXAMPLE_CREDENTIALS, env: {}, durability });
const coldMs = performance.now() - t0;

const agent = new https.Agent({ keepAlive: true, maxSockets: devices });
const latencies: number[] = [];
let next = 0;
let failures = 0;
const start = performance.now();
async function device(d: number): Promise<void> {
  const thing = `load-${d}`;
  while (next < wakes) {
    next++;
    let a = performance.now();
    const got = await send(cloud, { method: 'GET', path: `/things/${thing}/shadow` }, agent);
    latencies.push(performance.now() - a);
    if (got.status !== 200 && got.status !== 404) failures++;
    a = performance.now();
    const up = await send(cloud, { method: 'POST', path: `/things/${thing}/shadow`, body: JSON.stringify({ state: { reported: { sleep: 30, status: 'done: ok', device: { wakes: next } } } }) }, agent);
    latencies.push(performance.now() - a);
    if (up.status !== 200) failures++;
  }
}
await Promise.all(Array.from({ length: devices }, (_, d) => device(d)));
const wall = (performance.now() - start) / 1000;
latencies.sort((x, y) => x - y);
const pct = (p: number): string => (latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0).toFixed(1);
process.stdout.write(
  `cold start ${coldMs.toFixed(0)} ms (CA + server certificate generated)\n` +
    `${devices} devices, ${wakes} wakes, ${latencies.length} requests in ${wall.toFixed(2)} s: ${(latencies.length / wall).toFixed(0)} req/s, ` +
    `latency p50 ${pct(50)} ms p99 ${pct(99)} ms, failures ${failures}, durability ${durability}\n`,
);
agent.destroy();
await cloud.close();
