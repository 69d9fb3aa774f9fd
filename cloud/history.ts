/**
 * The read-only history of a thing's shadows: every accepted update and delete (what changed,
 * when, by which key id), read from the cloud's database even while the cloud runs. The
 * `dormouse shadow history THING` subcommand prints it with {@link printHistory}.
 */
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import { readHistoryFromDir } from './store.js';
import type { HistoryEntry } from './store.js';

/** Options of {@link printHistory}. */
export interface PrintHistoryOptions {
  /** The cloud's data directory (default of `dormouse cloud`: `.dormouse/cloud`). */
  readonly dir: string;
  readonly thing: string;
  /** Only this named shadow; `''` for the classic shadow only; undefined for all of the thing's shadows. */
  readonly shadow?: string;
  /** One JSON array instead of text lines. */
  readonly json?: boolean;
  /** Only the newest N entries. */
  readonly limit?: number;
  readonly out: Writable;
  /** Where "no history" is said (default: `out`). */
  readonly err?: Writable;
}

/** One history entry as `--json` prints it. */
export interface HistoryRecord {
  readonly thing: string;
  /** Null for the classic shadow. */
  readonly shadow: string | null;
  readonly version: number;
  /** ISO 8601 time of the change. */
  readonly at: string;
  readonly keyId: string;
  readonly op: 'update' | 'delete';
  /** The accepted request state (`null` for a delete or a `"state": null` update). */
  readonly change: unknown;
  /** The shadow's state after the change (`null` after a delete). */
  readonly state: unknown;
}

/** An entry as a plain record. */
export function historyRecord(e: HistoryEntry): HistoryRecord {
  return {
    thing: e.thing,
    shadow: e.shadow === '' ? null : e.shadow,
    version: e.version,
    at: new Date(e.at).toISOString(),
    keyId: e.keyId,
    op: e.op,
    change: e.change === null ? null : JSON.parse(e.change),
    state: e.state === null ? null : JSON.parse(e.state),
  };
}

/** One text line of an entry: time, shadow, version, operation, key id, what changed. */
export function historyLine(e: HistoryEntry): string {
  const where = e.shadow === '' ? 'classic' : `shadow:${e.shadow}`;
  const what = e.op === 'delete' ? 'deleted' : e.change ?? 'null';
  return `${new Date(e.at).toISOString()}  ${where}  v${e.version}  ${e.op}  ${e.keyId}  ${what}`;
}

/**
 * Print a thing's shadow history, oldest first. Resolves with the exit code: 0 when something
 * was printed, 1 when the cloud has no history for that thing (or no database in `dir`).
 */
export async function printHistory(o: PrintHistoryOptions): Promise<number> {
  const all = readHistoryFromDir(o.dir, o.thing, o.shadow);
  const entries = all === undefined ? [] : o.limit !== undefined && o.limit >= 0 ? all.slice(Math.max(0, all.length - o.limit)) : all;
  if (o.json) {
    o.out.write(`${JSON.stringify(entries.map(historyRecord), null, 2)}\n`);
    return entries.length > 0 ? 0 : 1;
  }
  if (entries.length === 0) {
    const which = o.shadow === undefined ? '' : o.shadow === '' ? ' (classic shadow)' : ` (shadow '${o.shadow}')`;
    const where = all === undefined ? `no cloud database in ${path.resolve(o.dir)}` : `no history for thing '${o.thing}'${which}`;
    (o.err ?? o.out).write(`${where}\n`);
    return 1;
  }
  for (const e of entries) o.out.write(`${historyLine(e)}\n`);
  return 0;
}
