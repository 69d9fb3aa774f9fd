import type { Command, CommandIo } from './command.js';
import { UsageError } from './command.js';
import { commands } from './commands/index.js';

function help(io: CommandIo): void {
  const width = Math.max(8, ...commands.map((c) => c.name.length));
  io.stdout.write('dormouse: firmware for battery devices that sleep most of the time\n\n');
  io.stdout.write('usage: dormouse <command> [options]\n\ncommands:\n');
  for (const c of commands) io.stdout.write(`  ${c.name.padEnd(width)}  ${c.summary}\n`);
  io.stdout.write(`  ${'help'.padEnd(width)}  show this help, or a command's usage (dormouse help COMMAND)\n`);
}

/** Entry point of the `dormouse` command; resolves with the exit code. */
export async function run(argv: readonly string[], io?: Partial<CommandIo>): Promise<number> {
  const full: CommandIo = {
    stdout: io?.stdout ?? process.stdout,
    stderr: io?.stderr ?? process.stderr,
    env: io?.env ?? process.env,
    cwd: io?.cwd ?? process.cwd(),
  };
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const target = rest[0] !== undefined ? findCommand(rest[0]) : undefined;
    if (target) full.stdout.write(target.usage.endsWith('\n') ? target.usage : `${target.usage}\n`);
    else help(full);
    return 0;
  }
  const command = findCommand(name);
  if (!command) {
    full.stderr.write(`dormouse: unknown command '${name}'; expected one of: ${commands.map((c) => c.name).join(', ')}\n`);
    return 2;
  }
  try {
    return await command.run(rest, full);
  } catch (e) {
    if (e instanceof UsageError) {
      full.stderr.write(`dormouse ${command.name}: ${e.message}\n\n${command.usage}\n`);
      return 2;
    }
    const message = e instanceof Error ? e.message : String(e);
    const code = e !== null && typeof e === 'object' && 'code' in e ? `${String((e as { code: unknown }).code)}: ` : '';
    full.stderr.write(`dormouse ${command.name}: ${code}${message}\n`);
    return 1;
  }
}

function findCommand(name: string): Command | undefined {
  return commands.find((c) => c.name === name);
}
