/**
 * Validation of an UpdateThingShadow request document, with AWS's 400 messages. Engine-neutral
 * and Espruino-safe. The caller has already checked that the body is UTF-8 (415 otherwise).
 */
import { isPlainObject, ownKeys } from './json.js';
import type { JsonObject, JsonValue } from './json.js';
import { hasOwn } from './shadow-merge.js';
import type { UpdateRequest } from './shadow-types.js';

export type { UpdateRequest } from './shadow-types.js';

/** The `state` of an update request: each section an object to merge, or `null` to remove it. */
export type StatePatch = Exclude<UpdateRequest['state'], null>;

/** What request validation needs to know; see `SHADOW_LIMIT_DEFAULTS` in shadow-doc.ts. */
export interface RequestLimits {
  /** Nesting levels allowed in a section, counting the section itself (AWS: 6). */
  readonly maxNesting: number;
  /** Longest clientToken in UTF-8 bytes (AWS: 64). */
  readonly maxClientTokenBytes: number;
  /** UTF-8 byte length of a string on this engine. */
  readonly byteLength: (text: string) => number;
}

/** The outcome of validation: the request, or AWS's 400 message (and the clientToken to echo). */
export type RequestCheck =
  | { readonly ok: true; readonly request: UpdateRequest }
  | { readonly ok: false; readonly message: string; readonly clientToken?: string };

/** AWS's 400 messages for update documents, word for word. */
export const REQUEST_MESSAGES = {
  invalidJson: 'Invalid JSON',
  missingState: 'Missing required node: state',
  stateNotObject: 'State node must be an object',
  desiredNotObject: 'Desired node must be an object',
  reportedNotObject: 'Reported node must be an object',
  invalidVersion: 'Invalid version',
  invalidClientToken: 'Invalid clientToken',
} as const;

/** AWS's nesting message for a given limit. */
export function nestingMessage(maxNesting: number): string {
  return `JSON contains too many levels of nesting; maximum is ${maxNesting}`;
}

/** AWS's message for a key under `state` other than desired/reported. */
export function invalidNodeMessage(key: string): string {
  return `State contains an invalid node: '${key}'`;
}

/**
 * Deepest nesting of `{`/`[` in a JSON text, strings skipped, without parsing or recursing: a
 * 100,000-deep body costs one linear scan. Stops counting once past `stopAt`.
 */
export function jsonTextDepth(text: string, stopAt?: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === '{' || c === '[') {
      depth++;
      if (depth > max) {
        max = depth;
        if (stopAt !== undefined && max > stopAt) return max;
      }
    } else if (c === '}' || c === ']') {
      depth--;
    }
  }
  return max;
}

/** True when an array anywhere inside `v` holds a `null` (AWS rejects those). */
export function hasNullInArray(v: JsonValue): boolean {
  if (v instanceof Array) {
    for (let i = 0; i < v.length; i++) {
      const e = v[i] as JsonValue;
      if (e === null || hasNullInArray(e)) return true;
    }
    return false;
  }
  if (isPlainObject(v)) {
    const keys = ownKeys(v);
    for (let i = 0; i < keys.length; i++) if (hasNullInArray(v[keys[i] as string] as JsonValue)) return true;
  }
  return false;
}

function isNonNegativeInteger(v: unknown): v is number {
  return typeof v === 'number' && isFinite(v) && v >= 0 && Math.floor(v) === v;
}

/**
 * Parse and validate an update request text, in AWS's order of checks: nesting, JSON, then
 * clientToken, version, state, state's nodes, the sections. Fields other than state, clientToken
 * and version are ignored, as AWS does.
 */
export function parseUpdateRequest(text: string, limits: RequestLimits): RequestCheck {
  // The whole document may be the section's levels + the root object + `state`.
  if (jsonTextDepth(text, limits.maxNesting + 1) > limits.maxNesting + 1) {
    return { ok: false, message: nestingMessage(limits.maxNesting) };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (_e) {
    return { ok: false, message: REQUEST_MESSAGES.invalidJson };
  }
  if (!isPlainObject(doc)) return { ok: false, message: REQUEST_MESSAGES.invalidJson };

  let clientToken: string | undefined;
  if (hasOwn(doc, 'clientToken')) {
    const t = doc.clientToken;
    if (typeof t !== 'string' || limits.byteLength(t) > limits.maxClientTokenBytes) {
      return { ok: false, message: REQUEST_MESSAGES.invalidClientToken };
    }
    clientToken = t;
  }
  const fail = (message: string): RequestCheck =>
    clientToken === undefined ? { ok: false, message: message } : { ok: false, message: message, clientToken: clientToken };

  let version: number | undefined;
  if (hasOwn(doc, 'version')) {
    const v = doc.version;
    if (!isNonNegativeInteger(v)) return fail(REQUEST_MESSAGES.invalidVersion);
    version = v;
  }
  if (!hasOwn(doc, 'state')) return fail(REQUEST_MESSAGES.missingState);
  const state = doc.state as JsonValue;
  let patch: StatePatch | null;
  if (state === null) {
    patch = null;
  } else {
    if (!isPlainObject(state)) return fail(REQUEST_MESSAGES.stateNotObject);
    const keys = ownKeys(state);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      if (k !== 'desired' && k !== 'reported') return fail(invalidNodeMessage(k));
    }
    const out: { desired?: JsonObject | null; reported?: JsonObject | null } = {};
    if (hasOwn(state, 'desired')) {
      const d = state.desired as JsonValue;
      if (d !== null && !isPlainObject(d)) return fail(REQUEST_MESSAGES.desiredNotObject);
      if (d !== null && hasNullInArray(d)) return fail(REQUEST_MESSAGES.invalidJson);
      out.desired = d;
    }
    if (hasOwn(state, 'reported')) {
      const r = state.reported as JsonValue;
      if (r !== null && !isPlainObject(r)) return fail(REQUEST_MESSAGES.reportedNotObject);
      if (r !== null && hasNullInArray(r)) return fail(REQUEST_MESSAGES.invalidJson);
      out.reported = r;
    }
    patch = out;
  }
  const request: { state: StatePatch | null; clientToken?: string; version?: number } = { state: patch };
  if (clientToken !== undefined) request.clientToken = clientToken;
  if (version !== undefined) request.version = version;
  return { ok: true, request: request };
}
