import type { Command } from '../command.js';
import { benchCommand } from './bench.js';
import { chaosCommand } from './chaos.js';
import { cloudCommand } from './cloud.js';
import { publishCommand } from './publish.js';
import { shadowCommand } from './shadow.js';
import { signCommand } from './sign.js';
import { simCommand } from './sim.js';
import { startCommand } from './start.js';

/** Every `dormouse` subcommand, in the order `dormouse help` lists them. */
export const commands: readonly Command[] = [startCommand, simCommand, cloudCommand, shadowCommand, publishCommand, signCommand, benchCommand, chaosCommand];
