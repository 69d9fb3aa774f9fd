/**
 * Test support for the end-to-end suites: temp directories, a local cloud on loopback with AWS's
 * example key, the `dormouse` CLI in-process or as a real process (the built `bin/dormouse.js`),
 * and the AWS SDK pointed at the local cloud.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { afterAll } from 'vitest';
import { run } from '../../cli/main.js';
import { startCloud } from '../../cloud/index.js';
import type { CloudOptions, RunningCloud } from '../../cloud/index.js';
import type { Credentials } from '../../src/credentials.js';

/** The project root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The launcher `npm start` runs. */
export const BIN = join(ROOT, 'bin', 'dormouse.js');

/** AWS's public example key, the only one tests use. */
export const EXAMPLE_CREDENTIALS: Credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A temporary directory removed after the test file. */
export function tempDir(prefix = 'dormouse-e2e-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

/** The environment of every e2e actor (cloud, provisioning, CLI): the example key, nothing else. */
export const E2E_ENV: Readonly<Record<string, string>> = {
  AWS_ACCESS_KEY_ID: EXAMPLE_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: EXAMPLE_CREDENTIALS.secretAccessKey,
};

/** A local cloud on free loopback ports (HTTPS and SNTP) accepting the example key. */
export function startE2eCloud(dataDir: string, o: CloudOptions = {}): Promise<RunningCloud> {
  return startCloud({ dataDir, port: 0, ntpPort: 0, env: E2E_ENV, ...o });
}

/** What a CLI run printed. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  const parts: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      parts.push(chunk.toString());
      cb();
    },
  });
  return { stream, text: () => parts.join('') };
}

/** Run `dormouse ARGS` in this process, in `cwd`, with only `env` as the environment. */
export async function cli(args: readonly string[], cwd: string, env: Record<string, string | undefined> = E2E_ENV): Promise<CliResult> {
  const out = sink();
  const err = sink();
  const code = await run(args, { stdout: out.stream, stderr: err.stream, cwd, env });
  return { code, stdout: out.text(), stderr: err.text() };
}

/** True when the build the CLI process runs exists (dist/app.min.js and the compiled CLI). */
export function distBuilt(): boolean {
  return existsSync(join(ROOT, 'dist', 'app.min.js')) && existsSync(join(ROOT, 'dist', 'node', 'cli', 'main.js'));
}

/** A running `node bin/dormouse.js …` with its output collected. */
export interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout matches `re` (rejects after `ms` with what was printed). */
  waitFor(re: RegExp, ms: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Start `node bin/dormouse.js ARGS` in `cwd`. */
export function spawnCli(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env['PATH'], ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const check = (): void => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i] as (typeof waiters)[number];
      const m = out.match(w.re);
      if (m) {
        waiters.splice(i, 1);
        w.resolve(m);
      }
    }
  };
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    check();
  });
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(re, ms) {
      return new Promise((resolve, reject) => {
        const m = out.match(re);
        if (m) {
          resolve(m);
          return;
        }
        const t = setTimeout(() => reject(new Error(`no ${re} within ${ms} ms; stdout:\n${out}\nstderr:\n${err}`)), ms);
        waiters.push({ re, resolve: (x) => (clearTimeout(t), resolve(x)) });
      });
    },
  };
}

/** The AWS SDK's IoT data-plane client for `cloud`, trusting only its CA. */
export function sdkClient(cloud: RunningCloud): { client: IoTDataPlaneClient; close: () => void } {
  const agent = new Agent({ ca: readFileSync(cloud.caPath), keepAlive: false });
  const client = new IoTDataPlaneClient({
    region: cloud.region,
    endpoint: cloud.url,
    credentials: cloud.credentials,
    maxAttempts: 1,
    requestHandler: { httpsAgent: agent },
  });
  return {
    client,
    close: () => {
      client.destroy();
      agent.destroy();
    },
  };
}
