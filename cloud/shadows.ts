/**
 * The shadow service of the local cloud: get, update, delete and list, on top of the shared
 * document engine (src/shadow-doc.ts) and the store. Shadows are cached in memory (this process
 * is the only writer); every change is committed to the store before it is acknowledged.
 */
import type { JsonObject } from '../src/json.js';
import {
  applyUpdate,
  deletedDocument,
  deltaMessage,
  documentsMessage,
  shadowDocument,
  shadowTopicPrefix,
} from '../src/shadow-doc.js';
import type { ShadowLimits, StoredShadow, UpdateOutcome, UpdateRequest } from '../src/shadow-doc.js';
import type { CloudStore, PendingMessage } from './store.js';

/** Identifies one shadow: a thing and, for a named shadow, its name. */
export interface ShadowRef {
  readonly thing: string;
  /** Undefined for the classic shadow. */
  readonly shadow?: string;
}

interface CacheEntry {
  version: number;
  /** The live shadow, undefined when deleted. */
  live: StoredShadow | undefined;
  updatedAt: number;
}

/** Options of {@link ShadowService}. */
export interface ShadowServiceOptions {
  readonly store: CloudStore;
  readonly limits: ShadowLimits;
  /** Hours a deleted shadow keeps its version numbering (AWS: 48). */
  readonly versionMemoryHours: number;
}

const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

function key(ref: ShadowRef): string {
  return `${ref.thing}\u0000${ref.shadow ?? ''}`;
}

/** Shadows: the operations of the REST API, in memory and durable. */
export class ShadowService {
  /** Shadows that exist or existed (misses are not cached: a scan of random names cannot grow it). */
  private readonly cache = new Map<string, CacheEntry>();

  constructor(private readonly o: ShadowServiceOptions) {}

  private entry(ref: ShadowRef): CacheEntry | undefined {
    const k = key(ref);
    const hit = this.cache.get(k);
    if (hit !== undefined) return hit;
    const row = this.o.store.getShadow(ref.thing, ref.shadow ?? '');
    if (row === undefined) return undefined;
    const doc = row.doc === null ? undefined : (JSON.parse(row.doc) as { state: StoredShadow['state']; metadata: StoredShadow['metadata'] });
    const e: CacheEntry = {
      version: row.version,
      live: doc === undefined ? undefined : { state: doc.state, metadata: doc.metadata, version: row.version },
      updatedAt: row.updatedAt,
    };
    this.cache.set(k, e);
    return e;
  }

  /** The GetThingShadow body, or undefined when there is no such shadow. */
  get(ref: ShadowRef, nowMs: number): JsonObject | undefined {
    const e = this.entry(ref);
    if (e === undefined || e.live === undefined) return undefined;
    return shadowDocument(e.live, Math.floor(nowMs / 1000));
  }

  /** The stored shadow (for tests and tools). */
  stored(ref: ShadowRef): StoredShadow | undefined {
    return this.entry(ref)?.live;
  }

  /**
   * Apply an update; on success it is committed (with history and the `/update/documents` and
   * `/update/delta` messages) before this returns.
   */
  update(ref: ShadowRef, request: UpdateRequest, keyId: string, nowMs: number): UpdateOutcome {
    const e = this.entry(ref);
    const nowS = Math.floor(nowMs / 1000);
    let base = 0;
    if (e !== undefined) {
      const forgotten = e.live === undefined && nowMs - e.updatedAt > this.o.versionMemoryHours * 3600 * 1000;
      base = forgotten ? 0 : e.version;
    }
    const previous = e?.live;
    const outcome = applyUpdate(previous, base, request, nowS, this.o.limits, byteLength);
    if (!outcome.ok) return outcome;
    const next = outcome.next;
    const prefix = shadowTopicPrefix(ref.thing, ref.shadow);
    const messages: PendingMessage[] = [
      { topic: `${prefix}/update/accepted`, payload: Buffer.from(JSON.stringify(outcome.accepted)), qos: 0 },
      { topic: `${prefix}/update/documents`, payload: Buffer.from(JSON.stringify(documentsMessage(previous, next, nowS, request.clientToken))), qos: 0 },
    ];
    const delta = deltaMessage(next, nowS, request.clientToken);
    if (delta !== undefined) messages.push({ topic: `${prefix}/update/delta`, payload: Buffer.from(JSON.stringify(delta)), qos: 0 });
    const stateJson = JSON.stringify(next.state);
    this.o.store.commitChange(
      { thing: ref.thing, shadow: ref.shadow ?? '', version: next.version, doc: JSON.stringify({ state: next.state, metadata: next.metadata }), updatedAt: nowMs },
      { keyId, op: 'update', change: JSON.stringify(outcome.accepted.state ?? null), state: stateJson },
      messages,
    );
    this.cache.set(key(ref), { version: next.version, live: next, updatedAt: nowMs });
    return outcome;
  }

  /** Delete a shadow; undefined when there is none. The version numbering is kept. */
  delete(ref: ShadowRef, keyId: string, nowMs: number): JsonObject | undefined {
    const e = this.entry(ref);
    if (e === undefined || e.live === undefined) return undefined;
    const nowS = Math.floor(nowMs / 1000);
    const body = deletedDocument(e.version, nowS);
    const prefix = shadowTopicPrefix(ref.thing, ref.shadow);
    this.o.store.commitChange(
      { thing: ref.thing, shadow: ref.shadow ?? '', version: e.version, doc: null, updatedAt: nowMs },
      { keyId, op: 'delete', change: null, state: null },
      [{ topic: `${prefix}/delete/accepted`, payload: Buffer.from(JSON.stringify(body)), qos: 0 }],
    );
    this.cache.set(key(ref), { version: e.version, live: undefined, updatedAt: nowMs });
    return body;
  }

  /** One page of a thing's named shadows, in byte order of their names. */
  listNamed(thing: string, pageSize: number, after: string | undefined): { results: string[]; last: string | undefined } {
    const names = this.o.store.listNamed(thing, after ?? '', pageSize + 1);
    const more = names.length > pageSize;
    const results = more ? names.slice(0, pageSize) : names;
    return { results, last: more ? results[results.length - 1] : undefined };
  }
}
