/**
 * `dormouse publish TOPIC [MESSAGE | --file F] [--qos 0|1]`: publish one message through the
 * data plane's REST API (`POST /topics/{topic}`), to the local cloud (default) or AWS IoT.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AwsError } from '../../src/aws-error.js';
import { CLIENT_OPTIONS, clientFlags, createClient, resolveClientConfig } from '../client-config.js';
import type { Command, CommandIo } from '../command.js';
import { parseFlags, UsageError } from '../command.js';
import { formatAwsError } from './shadow.js';

const USAGE = `usage: dormouse publish TOPIC [MESSAGE | --file F] [options]

Publish one MQTT message through AWS IoT's REST API (local cloud by default).

options:
  --file F                   the message is the contents of file F
  --qos 0|1                  quality of service (default 0)
  --endpoint HOST[:PORT]     --region R, --ca FILE, --cloud-dir DIR: as for dormouse shadow
  --timeout MS               request timeout (default 10000)
  --verbose                  say where endpoint, region, credentials and CA came from

example: dormouse publish 'dt/sensors/t1' '{"temp":21}' --qos 1`;

const OPTIONS = {
  file: { type: 'string' },
  qos: { type: 'string' },
  ...CLIENT_OPTIONS,
  help: { type: 'boolean', short: 'h' },
} as const;

async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const parsed = parseFlags(argv, OPTIONS, true);
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [topic, message, ...extra] = positionals;
  if (topic === undefined) throw new UsageError('expected a TOPIC');
  if (extra.length) throw new UsageError(`unexpected ${JSON.stringify(extra[0])} (quote a MESSAGE with spaces)`);
  if (message !== undefined && values.file !== undefined) throw new UsageError('give either MESSAGE or --file F, not both');
  if (message === undefined && values.file === undefined) throw new UsageError('expected a MESSAGE or --file F');
  if (values.qos !== undefined && values.qos !== '0' && values.qos !== '1') throw new UsageError(`--qos: expected 0 or 1, got ${JSON.stringify(values.qos)}`);
  const qos = values.qos === '1' ? 1 : 0;
  const timeout = values.timeout === undefined ? 10000 : Number(values.timeout);
  if (!Number.isInteger(timeout) || timeout < 1) throw new UsageError(`--timeout: expected milliseconds, got ${JSON.stringify(values.timeout)}`);
  let payload: string;
  if (values.file !== undefined) {
    try {
      payload = readFileSync(resolve(io.cwd, values.file), 'utf8');
    } catch (e) {
      throw new UsageError(`--file: cannot read ${values.file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  } else payload = message as string;

  const config = resolveClientConfig(clientFlags(values), io);
  if (values.verbose) for (const line of config.sources) io.stderr.write(`dormouse publish: ${line}\n`);
  const { client, http } = createClient(config, timeout);
  try {
    const r = await client.publish(topic, payload, qos);
    const trace = typeof r.body['traceId'] === 'string' ? `, traceId ${r.body['traceId']}` : '';
    io.stdout.write(`published ${Buffer.byteLength(payload, 'utf8')} bytes to ${topic} (qos ${qos})${trace}\n`);
    return 0;
  } catch (e) {
    if (e instanceof AwsError) {
      io.stderr.write(formatAwsError(e));
      return 1;
    }
    throw e;
  } finally {
    http.close();
  }
}

/** `dormouse publish`. */
export const publishCommand: Command = {
  name: 'publish',
  summary: 'publish an MQTT message through the REST API (local cloud or AWS)',
  usage: USAGE,
  run,
};
