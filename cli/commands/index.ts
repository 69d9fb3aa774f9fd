import type { Command } from '../command.js';

/** Every `dormouse` subcommand, in the order `dormouse help` lists them. */
export const commands: readonly Command[] = [];
