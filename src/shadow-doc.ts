/**
 * The shadow document engine of the local cloud: applying a validated update (merge, metadata,
 * version, size limit), and the documents AWS answers with (GET, update accepted, delete,
 * `/update/documents`, `/update/delta`). Engine-neutral and Espruino-safe; the cloud is its only
 * user today, but nothing here depends on Node.
 */
import type { JsonObject, JsonValue } from './json.js';
import { computeDelta, deltaMetadata } from './shadow-delta.js';
import { mergeSection, metadataOf } from './shadow-merge.js';
import type { ShadowMetadata, UpdateRequest } from './shadow-types.js';

export { computeDelta, deltaMetadata } from './shadow-delta.js';
export { mergeSection, metadataOf } from './shadow-merge.js';
export { parseUpdateRequest, jsonTextDepth, nestingMessage, invalidNodeMessage, REQUEST_MESSAGES } from './shadow-request.js';
export type { UpdateRequest, StatePatch, RequestLimits, RequestCheck } from './shadow-request.js';

/** The two sections a shadow holds. */
export type ShadowSection = 'desired' | 'reported';

/** desired and/or reported as stored (no delta: it is computed); a section that became empty is absent. */
export type ShadowSections = ShadowMetadata;

/** A shadow as stored: state, its per-leaf metadata (same shape), and the version. */
export interface StoredShadow {
  readonly state: ShadowSections;
  readonly metadata: ShadowSections;
  readonly version: number;
}

/** How the 8 KB state limit is counted: AWS's docs do not say, so it is a choice. */
export type StateSizeScope = 'combined' | 'per-section';

/** Limits of shadow documents (AWS's values as defaults, in {@link SHADOW_LIMIT_DEFAULTS}). */
export interface ShadowLimits {
  /** Largest state document in UTF-8 bytes, metadata excluded (AWS: 8192). */
  readonly maxStateBytes: number;
  /** Whether desired and reported count together against {@link maxStateBytes} or each alone. */
  readonly stateSizeScope: StateSizeScope;
  /** Nesting levels allowed in a section, counting the section itself (AWS's text: 6). */
  readonly maxNesting: number;
  /** Longest clientToken in UTF-8 bytes (AWS: 64). */
  readonly maxClientTokenBytes: number;
}

/** AWS IoT's documented limits. */
export const SHADOW_LIMIT_DEFAULTS: ShadowLimits = {
  maxStateBytes: 8192,
  stateSizeScope: 'combined',
  maxNesting: 6,
  maxClientTokenBytes: 64,
};

/** AWS's 409 and 413 messages. */
export const UPDATE_MESSAGES = {
  versionConflict: 'Version conflict',
  tooLarge: 'The payload exceeds the maximum size allowed',
} as const;

/** The result of applying an update: the new shadow and the 200 body, or a 409/413. */
export type UpdateOutcome =
  | { readonly ok: true; readonly next: StoredShadow; readonly accepted: JsonObject }
  | { readonly ok: false; readonly status: 409 | 413; readonly message: string };

function withSection(o: { desired?: JsonObject; reported?: JsonObject }, section: ShadowSection, value: JsonObject | undefined): void {
  if (value === undefined) delete o[section];
  else o[section] = value;
}

function isEmpty(o: JsonObject): boolean {
  for (const k in o) if (Object.prototype.hasOwnProperty.call(o, k)) return false;
  return true;
}

function stateBytes(state: ShadowSections, scope: StateSizeScope, byteLength: (s: string) => number): number {
  if (scope === 'combined') return byteLength(JSON.stringify(state));
  const d = state.desired === undefined ? 0 : byteLength(JSON.stringify(state.desired));
  const r = state.reported === undefined ? 0 : byteLength(JSON.stringify(state.reported));
  return d > r ? d : r;
}

/**
 * Apply a validated update to a shadow. `current` is the live shadow (undefined when it does not
 * exist); `version` is the number it continues from (a deleted shadow keeps its numbering).
 * A request `version` other than the current one is a 409; a resulting state over the limit a 413.
 * The accepted body carries only what the request carried, with its metadata.
 */
export function applyUpdate(
  current: StoredShadow | undefined,
  version: number,
  request: UpdateRequest,
  nowSeconds: number,
  limits: ShadowLimits,
  byteLength: (text: string) => number,
): UpdateOutcome {
  if (request.version !== undefined && request.version !== version) {
    return { ok: false, status: 409, message: UPDATE_MESSAGES.versionConflict };
  }
  const state: { desired?: JsonObject; reported?: JsonObject } = {};
  const metadata: { desired?: JsonObject; reported?: JsonObject } = {};
  const acceptedState: JsonObject = {};
  const acceptedMeta: JsonObject = {};
  if (current !== undefined && request.state !== null) {
    withSection(state, 'desired', current.state.desired);
    withSection(state, 'reported', current.state.reported);
    withSection(metadata, 'desired', current.metadata.desired);
    withSection(metadata, 'reported', current.metadata.reported);
  }
  const patch = request.state;
  if (patch !== null) {
    const sections: ShadowSection[] = ['desired', 'reported'];
    for (let i = 0; i < sections.length; i++) {
      const s = sections[i] as ShadowSection;
      if (!Object.prototype.hasOwnProperty.call(patch, s)) continue;
      const p = patch[s];
      if (p === undefined) continue;
      acceptedState[s] = p;
      acceptedMeta[s] = p === null ? { timestamp: nowSeconds } : (metadataOf(p, nowSeconds) as JsonObject);
      if (p === null) {
        withSection(state, s, undefined);
        withSection(metadata, s, undefined);
        continue;
      }
      const merged = mergeSection(state[s], metadata[s], p, nowSeconds);
      const empty = isEmpty(merged.state);
      withSection(state, s, empty ? undefined : merged.state);
      withSection(metadata, s, empty ? undefined : merged.metadata);
    }
  }
  if (stateBytes(state, limits.stateSizeScope, byteLength) > limits.maxStateBytes) {
    return { ok: false, status: 413, message: UPDATE_MESSAGES.tooLarge };
  }
  const nextVersion = version + 1;
  const accepted: JsonObject = patch === null
    ? { state: null, version: nextVersion, timestamp: nowSeconds }
    : { state: acceptedState, metadata: acceptedMeta, version: nextVersion, timestamp: nowSeconds };
  if (request.clientToken !== undefined) accepted.clientToken = request.clientToken;
  return { ok: true, next: { state: state, metadata: metadata, version: nextVersion }, accepted: accepted };
}

/** The GetThingShadow body: state (with `delta` when desired differs), metadata, version, timestamp. */
export function shadowDocument(shadow: StoredShadow, nowSeconds: number): JsonObject {
  const state: JsonObject = {};
  const metadata: JsonObject = {};
  if (shadow.state.desired !== undefined) state.desired = shadow.state.desired;
  if (shadow.state.reported !== undefined) state.reported = shadow.state.reported;
  const delta = computeDelta(shadow.state.desired, shadow.state.reported);
  if (delta !== undefined) state.delta = delta;
  if (shadow.metadata.desired !== undefined) metadata.desired = shadow.metadata.desired;
  if (shadow.metadata.reported !== undefined) metadata.reported = shadow.metadata.reported;
  return { state: state, metadata: metadata, version: shadow.version, timestamp: nowSeconds };
}

/** The DeleteThingShadow body. */
export function deletedDocument(version: number, nowSeconds: number): JsonObject {
  return { version: version, timestamp: nowSeconds };
}

function snapshot(shadow: StoredShadow | undefined): JsonValue {
  if (shadow === undefined) return null;
  const state: JsonObject = {};
  const metadata: JsonObject = {};
  if (shadow.state.desired !== undefined) state.desired = shadow.state.desired;
  if (shadow.state.reported !== undefined) state.reported = shadow.state.reported;
  if (shadow.metadata.desired !== undefined) metadata.desired = shadow.metadata.desired;
  if (shadow.metadata.reported !== undefined) metadata.reported = shadow.metadata.reported;
  return { state: state, metadata: metadata, version: shadow.version };
}

/**
 * The `$aws/things/{thing}/shadow[/name/{shadow}]/update/documents` message after an accepted
 * update: the shadow before and after.
 */
export function documentsMessage(previous: StoredShadow | undefined, current: StoredShadow, nowSeconds: number, clientToken?: string): JsonObject {
  const out: JsonObject = { previous: snapshot(previous), current: snapshot(current), timestamp: nowSeconds };
  if (clientToken !== undefined) out.clientToken = clientToken;
  return out;
}

/**
 * The `…/update/delta` message after an accepted update, or `undefined` when desired and
 * reported agree (AWS publishes nothing then).
 */
export function deltaMessage(current: StoredShadow, nowSeconds: number, clientToken?: string): JsonObject | undefined {
  const delta = computeDelta(current.state.desired, current.state.reported);
  if (delta === undefined) return undefined;
  const out: JsonObject = {
    version: current.version,
    timestamp: nowSeconds,
    state: delta,
    metadata: deltaMetadata(delta, current.metadata.desired),
  };
  if (clientToken !== undefined) out.clientToken = clientToken;
  return out;
}

/** Topic prefix of a shadow's MQTT messages. */
export function shadowTopicPrefix(thing: string, shadow?: string): string {
  return shadow === undefined ? `$aws/things/${thing}/shadow` : `$aws/things/${thing}/shadow/name/${shadow}`;
}
