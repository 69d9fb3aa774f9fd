/**
 * `dormouse shadow get|update|delete|list|history THING`: what the seed's Python get/update/
 * delete scripts did, against the local cloud or AWS, with readable output. AWS errors are shown
 * as AWS sent them (status line, `x-amzn-ErrorType`, body) and exit 1.
 */
import { STATUS_CODES } from 'node:http';
import { AwsError } from '../../src/aws-error.js';
import { DormouseError } from '../../src/errors.js';
import type { JsonObject, JsonValue } from '../../src/json.js';
import { isPlainObject } from '../../src/json.js';
import type { ShadowDocument, UpdateRequest } from '../../src/shadow-types.js';
import { CLIENT_OPTIONS, clientFlags, createClient, resolveClientConfig, resolveCloudDir } from '../client-config.js';
import type { ClientConfig } from '../client-config.js';
import type { Command, CommandIo } from '../command.js';
import { parseFlags, UsageError } from '../command.js';

const USAGE = `usage: dormouse shadow get|update|delete|list|history THING [options]

Read and change a thing's shadow on the local cloud (default) or AWS IoT.

  get THING                  print the document, with a summary: version, desired vs reported, delta
  update THING               --desired k=v ... | --reported k=v ... | --json DOC
  delete THING               delete the shadow (its version numbering continues)
  list THING                 the thing's named shadows (all pages)
  history THING              the local cloud's record of every change (--raw: JSON, --limit N)

options:
  --name SHADOW              a named shadow instead of the classic one
  --desired k=v              set desired key k (repeatable); v is JSON when it parses
  --reported k=v             (numbers, true, null, "quoted"), else a string; a.b=1 nests;
                             k=null deletes the key
  --json DOC                 the whole request document, e.g. '{"state":{"desired":{"sleep":60}}}'
  --version N                update only if the shadow is at version N (else 409)
  --raw                      print only the response JSON, compact
  --endpoint HOST[:PORT]     e.g. abc123-ats.iot.us-east-1.amazonaws.com, 127.0.0.1:8443
  --region R                 signing region (default: AWS_REGION, aws_iot_cfg.txt, the local cloud)
  --ca FILE                  CA certificate (PEM) the server must chain to
  --cloud-dir DIR            the local cloud's data directory (default .dormouse/cloud)
  --timeout MS               per request (default 10000)
  --verbose                  say where endpoint, region, credentials and CA came from

Credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY(/AWS_SESSION_TOKEN), else aws_credentials.txt
in the current directory, else the local cloud's.`;

const OPTIONS = {
  name: { type: 'string' },
  desired: { type: 'string', multiple: true },
  reported: { type: 'string', multiple: true },
  json: { type: 'string' },
  version: { type: 'string' },
  raw: { type: 'boolean' },
  ...CLIENT_OPTIONS,
  limit: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ACTIONS = ['get', 'update', 'delete', 'list', 'history'] as const;
type Action = (typeof ACTIONS)[number];

/** A `k=v` value: JSON when it parses (numbers, booleans, null, "strings", objects), else the text. */
export function parseValue(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

/** Build an object from `k=v` pairs; dotted keys nest (`a.b=1` → `{"a":{"b":1}}`). */
export function parseAssignments(pairs: readonly string[], flag: string): JsonObject {
  const out: JsonObject = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? '' : pair.substring(0, eq);
    const path = key.split('.');
    if (eq <= 0 || path.some((p) => p === '')) throw new UsageError(`${flag}: expected key=value (a.b=value nests), got ${JSON.stringify(pair)}`);
    let node = out;
    for (let i = 0; i < path.length - 1; i++) {
      const k = path[i] as string;
      const next = node[k];
      if (next === undefined) node[k] = {};
      else if (!isPlainObject(next)) throw new UsageError(`${flag}: ${JSON.stringify(pair)} nests under "${path.slice(0, i + 1).join('.')}", which is already set to a value`);
      node = node[k] as JsonObject;
    }
    const last = path[path.length - 1] as string;
    if (isPlainObject(node[last])) throw new UsageError(`${flag}: "${key}" is set both as an object and as a value`);
    node[last] = parseValue(pair.substring(eq + 1));
  }
  return out;
}

function pretty(v: unknown): string {
  return JSON.stringify(v, null, 2);
}

function compact(v: JsonValue | undefined, max = 30): string {
  if (v === undefined) return '-';
  const t = JSON.stringify(v);
  return t.length > max ? `${t.substring(0, max - 3)}...` : t;
}

/** The `get` summary: version and time, then desired vs reported per key, `*` marking the delta. */
export function summarize(thing: string, shadow: string | undefined, doc: ShadowDocument): string {
  const lines: string[] = [];
  const when = doc.timestamp !== undefined ? `, timestamp ${new Date(doc.timestamp * 1000).toISOString()}` : '';
  lines.push(`thing ${thing}, ${shadow === undefined ? 'classic shadow' : `shadow "${shadow}"`}, version ${doc.version ?? '?'}${when}`);
  const desired = doc.state?.desired ?? {};
  const reported = doc.state?.reported ?? {};
  const delta = doc.state?.delta ?? {};
  const keys = Object.keys(desired);
  for (const k of Object.keys(reported)) if (!keys.includes(k)) keys.push(k);
  if (keys.length === 0) lines.push('(no desired or reported state)');
  else {
    const w = Math.max(3, ...keys.map((k) => k.length));
    lines.push(`  ${'key'.padEnd(w)}  ${'desired'.padEnd(30)}  reported`);
    for (const k of keys) {
      const mark = Object.prototype.hasOwnProperty.call(delta, k) ? '*' : ' ';
      lines.push(`${mark} ${k.padEnd(w)}  ${compact(desired[k]).padEnd(30)}  ${compact(reported[k])}`);
    }
  }
  const dk = Object.keys(delta);
  lines.push(dk.length ? `delta (* above): ${JSON.stringify(delta)}` : 'delta: none (reported matches desired)');
  return lines.join('\n');
}

/** An AWS error as AWS sent it: status line, the x-amzn headers and Date, blank line, body. */
export function formatAwsError(e: AwsError): string {
  const h = e.headers;
  const lines = [`HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? ''}`.trimEnd()];
  if (h['x-amzn-errortype'] !== undefined) lines.push(`x-amzn-ErrorType: ${h['x-amzn-errortype']}`);
  if (h['x-amzn-requestid'] !== undefined) lines.push(`x-amzn-RequestId: ${h['x-amzn-requestid']}`);
  if (h['date'] !== undefined) lines.push(`Date: ${h['date']}`);
  lines.push('', e.body);
  return `${lines.join('\n')}\n`;
}

function intFlag(text: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`${flag}: expected a whole number ${min}..${max}, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** The update request document from `--json` or `--desired`/`--reported` (+ `--version`). */
function buildUpdate(values: { json?: string; desired?: string[]; reported?: string[] }, version: number | undefined): UpdateRequest {
  let doc: JsonObject;
  if (values.json !== undefined) {
    if (values.desired || values.reported) throw new UsageError('--json: give either --json or --desired/--reported, not both');
    let parsed: unknown;
    try {
      parsed = JSON.parse(values.json);
    } catch {
      throw new UsageError(`--json: expected a JSON object like '{"state":{"desired":{"sleep":60}}}', got text that does not parse`);
    }
    if (!isPlainObject(parsed)) throw new UsageError('--json: expected a JSON object like \'{"state":{"desired":{"sleep":60}}}\'');
    // `{"desired":…}` alone is taken as the state.
    doc = 'state' in parsed ? parsed : { state: parsed };
  } else {
    if (!values.desired && !values.reported) throw new UsageError('update: expected --desired k=v, --reported k=v or --json DOC');
    const state: JsonObject = {};
    if (values.desired) state['desired'] = parseAssignments(values.desired, '--desired');
    if (values.reported) state['reported'] = parseAssignments(values.reported, '--reported');
    doc = { state };
  }
  if (version !== undefined) doc['version'] = version;
  return doc as unknown as UpdateRequest;
}

async function listAll(config: ClientConfig, thing: string, timeoutMs: number): Promise<string[]> {
  const { client, http } = createClient(config, timeoutMs);
  try {
    const names: string[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const r = await client.listNamed(thing, nextToken === undefined ? { pageSize: 100 } : { pageSize: 100, nextToken });
      names.push(...r.body.results);
      nextToken = r.body.nextToken;
      if (nextToken === undefined) break;
    }
    return names;
  } finally {
    http.close();
  }
}

async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const parsed = parseFlags(argv, OPTIONS, true);
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [action, thing, ...extra] = positionals;
  if (action === undefined || !(ACTIONS as readonly string[]).includes(action)) {
    throw new UsageError(`expected one of ${ACTIONS.join(', ')}, got ${action === undefined ? 'nothing' : JSON.stringify(action)}`);
  }
  if (thing === undefined) throw new UsageError(`${action}: expected a THING name`);
  if (extra.length) throw new UsageError(`${action}: unexpected ${JSON.stringify(extra[0])}`);
  const shadow = values.name;
  const timeoutMs = intFlag(values.timeout, '--timeout', 1, 600000) ?? 10000;
  const version = intFlag(values.version, '--version', 0, Number.MAX_SAFE_INTEGER);
  const a = action as Action;
  if (a !== 'update' && (values.desired || values.reported || values.json !== undefined || version !== undefined)) {
    throw new UsageError(`${a}: --desired, --reported, --json and --version go with update only`);
  }

  const flags = clientFlags(values);
  if (a === 'history') {
    let printHistory: (typeof import('../../cloud/history.js'))['printHistory'];
    try {
      ({ printHistory } = await import('../../cloud/history.js'));
    } catch (e) {
      io.stderr.write(`dormouse shadow history: the local cloud's history is not available in this build (${(e as Error).message})\n`);
      return 1;
    }
    const limit = intFlag(values.limit, '--limit', 1, 1000000);
    return printHistory({
      dir: resolveCloudDir(flags.cloudDir, io),
      thing,
      ...(shadow !== undefined ? { shadow } : {}),
      ...(values.raw ? { json: true } : {}),
      ...(limit !== undefined ? { limit } : {}),
      out: io.stdout,
      err: io.stderr,
    });
  }

  const update = a === 'update' ? buildUpdate(values, version) : undefined;
  const config = resolveClientConfig(flags, io);
  if (values.verbose) for (const line of config.sources) io.stderr.write(`dormouse shadow: ${line}\n`);

  try {
    if (a === 'list') {
      const names = await listAll(config, thing, timeoutMs);
      if (values.raw) io.stdout.write(`${JSON.stringify({ results: names })}\n`);
      else if (names.length === 0) io.stderr.write(`no named shadows for thing ${thing}\n`);
      else io.stdout.write(`${names.join('\n')}\n`);
      return 0;
    }
    const { client, http } = createClient(config, timeoutMs);
    try {
      if (a === 'get') {
        const r = await client.get(thing, shadow);
        if (values.raw) io.stdout.write(`${JSON.stringify(r.body)}\n`);
        else io.stdout.write(`${summarize(thing, shadow, r.body)}\n\n${pretty(r.body)}\n`);
      } else if (a === 'update') {
        const r = await client.update(thing, update as UpdateRequest, shadow);
        if (values.raw) io.stdout.write(`${JSON.stringify(r.body)}\n`);
        else io.stdout.write(`accepted: ${thing}${shadow !== undefined ? ` shadow "${shadow}"` : ''} is now at version ${String(r.body['version'] ?? '?')}\n${pretty(r.body)}\n`);
      } else {
        const r = await client.delete(thing, shadow);
        if (values.raw) io.stdout.write(`${JSON.stringify(r.body)}\n`);
        else io.stdout.write(`deleted: ${thing}${shadow !== undefined ? ` shadow "${shadow}"` : ' classic shadow'} (was version ${String(r.body['version'] ?? '?')})\n${pretty(r.body)}\n`);
      }
    } finally {
      http.close();
    }
    return 0;
  } catch (e) {
    if (e instanceof AwsError) {
      io.stderr.write(formatAwsError(e));
      return 1;
    }
    if (e instanceof Error && (e as { code?: unknown }).code === 'ETLS') {
      const ca = config.sources.find((s) => s.startsWith('ca:')) ?? '';
      throw new DormouseError('ETLS', `${e.message} (${ca}; pass the server's CA with --ca FILE)`);
    }
    throw e;
  }
}

/** `dormouse shadow`. */
export const shadowCommand: Command = {
  name: 'shadow',
  summary: 'get, update, delete, list a thing shadow (local cloud or AWS), or show its history',
  usage: USAGE,
  run,
};
