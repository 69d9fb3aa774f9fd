/**
 * Process entry of the local cloud: `node cloud/main.js [dormouse cloud flags]`. What a test or a
 * supervisor spawns as a child process (the crash test kills it with SIGKILL mid-burst).
 */
import { CLOUD_USAGE, CloudUsageError, runCloudCommand } from './run.js';

runCloudCommand(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof CloudUsageError) process.stderr.write(`dormouse cloud: ${e.message}\n\n${CLOUD_USAGE}\n`);
    else process.stderr.write(`dormouse cloud: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = e instanceof CloudUsageError ? 2 : 1;
  },
);
