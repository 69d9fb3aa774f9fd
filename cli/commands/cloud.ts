/**
 * `dormouse cloud`: the local AWS IoT data plane (and `dormouse cloud provision THING`). The work
 * is in cloud/run.ts, shared with cloud/main.ts (the same thing as a bare child process).
 */
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { CLOUD_USAGE, CloudUsageError, runCloudCommand } from '../../cloud/run.js';

/** The `dormouse cloud` command. */
export const cloudCommand: Command = {
  name: 'cloud',
  summary: 'run the local AWS IoT data plane (shadows, publish, SigV4, SNTP); provision a thing for it',
  usage: CLOUD_USAGE,
  run: async (argv, io) => {
    try {
      return await runCloudCommand(argv, io);
    } catch (e) {
      throw e instanceof CloudUsageError ? new UsageError(e.message) : e;
    }
  },
};
