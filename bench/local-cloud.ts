/**
 * The local cloud the benchmarks measure against: started in this process (`startCloud`) on
 * loopback with free ports, in a temporary data directory removed when it closes, accepting
 * AWS's public example key. The CA and server certificate of the first cloud are reused by the
 * next ones of the same process (RSA key generation is not what the benchmarks measure).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CERT_FILES, startCloud } from '../cloud/index.js';
import type { CloudOptions, RunningCloud } from '../cloud/index.js';
import { EXAMPLE_KEY } from './sign-request.js';

/** A cloud started for a benchmark. */
export interface BenchCloud {
  readonly cloud: RunningCloud;
  /** The temporary directory holding the cloud's data (`dir/cloud`) and whatever else the benchmark puts there. */
  readonly dir: string;
  /** Close the cloud and remove the directory. */
  close(): Promise<void>;
}

/** Defaults of {@link startBenchCloud}: AWS's throttling stays on unless a benchmark turns it off. */
export const BENCH_CLOUD_DEFAULTS = { host: '127.0.0.1', port: 0, ntpPort: 0 } as const;

/** Certificates of the first cloud of this process, removed when the process exits. */
let template: string | undefined;

function copyCerts(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const f of Object.values(CERT_FILES)) copyFileSync(join(from, f), join(to, f));
}

function keepCerts(dataDir: string): void {
  if (template !== undefined || !Object.values(CERT_FILES).every((f) => existsSync(join(dataDir, f)))) return;
  const dir = mkdtempSync(join(tmpdir(), 'dormouse-bench-certs-'));
  copyCerts(dataDir, dir);
  template = dir;
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
}

/** Start a local cloud in a fresh temporary directory; `o` overrides the defaults. */
export async function startBenchCloud(o: CloudOptions = {}): Promise<BenchCloud> {
  const dir = mkdtempSync(join(tmpdir(), 'dormouse-bench-'));
  const dataDir = join(dir, 'cloud');
  try {
    if (template !== undefined) copyCerts(template, dataDir);
    const cloud = await startCloud({ ...BENCH_CLOUD_DEFAULTS, credentials: EXAMPLE_KEY, env: {}, ...o, dataDir });
    keepCerts(dataDir);
    let closed: Promise<void> | undefined;
    return {
      cloud,
      dir,
      close: () => (closed ??= cloud.close().finally(() => rmSync(dir, { recursive: true, force: true }))),
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
