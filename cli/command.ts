import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Writable } from 'node:stream';

/** Where a command reads its environment and writes its output; injected so tests can capture it. */
export interface CommandIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** One `dormouse` subcommand, in a file of its own under `cli/commands/`. */
export interface Command {
  readonly name: string;
  /** One line for the help listing. */
  readonly summary: string;
  /** Full usage text, printed by `dormouse help NAME` and on a usage error. */
  readonly usage: string;
  /** Runs the command; resolves with the process exit code (0 ok, 1 failure, 2 usage error). */
  run(argv: readonly string[], io: CommandIo): Promise<number>;
}

/** A usage error: the CLI prints the message and the command's usage, and exits with 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * `parseArgs` in strict mode, its complaints turned into a {@link UsageError} (so the CLI prints
 * the command's usage and exits 2), once for every command.
 */
export function parseFlags<const O extends NonNullable<ParseArgsConfig['options']>, const P extends boolean = false>(
  argv: readonly string[],
  options: O,
  allowPositionals?: P,
) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: allowPositionals ?? false, strict: true });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}
