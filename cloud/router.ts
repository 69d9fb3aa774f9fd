/**
 * Routing of the AWS IoT data-plane REST paths, from the raw request target (`req.url`, never
 * re-encoded). Names are checked against AWS's patterns with AWS's validation message.
 */

/** A shadow operation's target: `/things/{thing}/shadow[?name=…]`. */
export interface ShadowRoute {
  readonly kind: 'shadow';
  readonly thing: string;
  readonly shadow?: string;
}

/** `/api/things/shadow/ListNamedShadowsForThing/{thing}?pageSize=&nextToken=`. */
export interface ListRoute {
  readonly kind: 'list';
  readonly thing: string;
  readonly pageSize?: string;
  readonly nextToken?: string;
}

/** `/topics/{topic}?qos=`. */
export interface PublishRoute {
  readonly kind: 'publish';
  readonly topic: string;
  readonly qos?: string;
}

/** What a request target names, or why it names nothing. */
export type Route =
  | ShadowRoute
  | ListRoute
  | PublishRoute
  | { readonly kind: 'not-found' }
  | { readonly kind: 'bad-request'; readonly message: string };

/** Methods each kind of route accepts (others: 405). */
export const ROUTE_METHODS: Readonly<Record<'shadow' | 'list' | 'publish', readonly string[]>> = {
  shadow: ['GET', 'POST', 'DELETE'],
  list: ['GET'],
  publish: ['POST'],
};

/** AWS's naming rules. */
export const NAME_RULES = {
  thing: { field: 'thingName', pattern: /^[a-zA-Z0-9:_-]+$/, patternText: '[a-zA-Z0-9:_-]+', max: 128 },
  shadow: { field: 'shadowName', pattern: /^[$a-zA-Z0-9:_-]+$/, patternText: '[$a-zA-Z0-9:_-]+', max: 64 },
} as const;

/** Longest topic in UTF-8 bytes, and most `/` in it (AWS IoT's limits). */
export const TOPIC_RULES = { maxBytes: 256, maxSlashes: 7 } as const;

/**
 * AWS's validation message for a bad name, or undefined when the name is fine
 * (`1 validation error detected: Value 'a b' at 'thingName' failed to satisfy constraint: …`).
 */
export function nameProblem(kind: keyof typeof NAME_RULES, value: string): string | undefined {
  const rule = NAME_RULES[kind];
  let constraint: string | undefined;
  if (value.length < 1) constraint = 'Member must have length greater than or equal to 1';
  else if (value.length > rule.max) constraint = `Member must have length less than or equal to ${rule.max}`;
  else if (!rule.pattern.test(value)) constraint = `Member must satisfy regular expression pattern: ${rule.patternText}`;
  return constraint === undefined
    ? undefined
    : `1 validation error detected: Value '${value}' at '${rule.field}' failed to satisfy constraint: ${constraint}`;
}

/** Why a topic cannot be published to, or undefined when it can. */
export function topicProblem(topic: string): string | undefined {
  if (topic.length === 0) return 'Topic must not be empty';
  if (Buffer.byteLength(topic, 'utf8') > TOPIC_RULES.maxBytes) return `Topic exceeds the maximum length of ${TOPIC_RULES.maxBytes} bytes`;
  if (topic.split('/').length - 1 > TOPIC_RULES.maxSlashes) return `Topic has more than ${TOPIC_RULES.maxSlashes} forward slashes`;
  if (/[#+]/.test(topic)) return `Topic must not contain wildcards: '${topic}'`;
  return undefined;
}

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** Query parameters of a raw query string, decoded; the first of repeated names wins. */
export function parseQuery(raw: string): Record<string, string> | undefined {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (raw === '') return out;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(eq < 0 ? part : part.slice(0, eq));
    const value = decode(eq < 0 ? '' : part.slice(eq + 1));
    if (name === undefined || value === undefined) return undefined;
    if (!(name in out)) out[name] = value;
  }
  return out;
}

/** Split a raw request target into path and query (at the first `?`). */
export function splitTarget(target: string): { path: string; query: string } {
  const q = target.indexOf('?');
  return q < 0 ? { path: target, query: '' } : { path: target.slice(0, q), query: target.slice(q + 1) };
}

/** Map a raw request target onto an operation. */
export function route(target: string): Route {
  const { path, query } = splitTarget(target);
  const params = parseQuery(query);
  if (params === undefined) return { kind: 'bad-request', message: 'Malformed query string' };
  const segs = path.split('/');
  if (segs[0] !== '') return { kind: 'not-found' };
  const parts: string[] = [];
  for (let i = 1; i < segs.length; i++) {
    const d = decode(segs[i] as string);
    if (d === undefined) return { kind: 'bad-request', message: 'Malformed path' };
    parts.push(d);
  }
  if (parts.length === 3 && parts[0] === 'things' && parts[2] === 'shadow') {
    const thing = parts[1] as string;
    return params.name === undefined ? { kind: 'shadow', thing } : { kind: 'shadow', thing, shadow: params.name };
  }
  if (parts.length === 5 && parts[0] === 'api' && parts[1] === 'things' && parts[2] === 'shadow' && parts[3] === 'ListNamedShadowsForThing') {
    const r: { kind: 'list'; thing: string; pageSize?: string; nextToken?: string } = { kind: 'list', thing: parts[4] as string };
    if (params.pageSize !== undefined) r.pageSize = params.pageSize;
    if (params.nextToken !== undefined) r.nextToken = params.nextToken;
    return r;
  }
  if (parts.length >= 2 && parts[0] === 'topics') {
    // AWS's SDKs send the topic as one encoded segment; raw slashes are accepted too.
    const topic = parts.slice(1).join('/');
    return params.qos === undefined ? { kind: 'publish', topic } : { kind: 'publish', topic, qos: params.qos };
  }
  return { kind: 'not-found' };
}
