/**
 * Persistence of the local cloud: SQLite (better-sqlite3) in WAL mode, one file `DIR/cloud.db`.
 * Every accepted update is one transaction (shadow row, history entry, shadow-topic messages),
 * committed before the 200 goes out, so an acknowledged update survives `kill -9`. Why WAL with
 * `synchronous=NORMAL` is enough for a process crash and `FULL` is needed for an OS crash is in
 * the README ("The local cloud", persistence).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import type { Durability } from './options.js';

/** Name of the database file in the data directory. */
export const DB_FILE = 'cloud.db';

/** A shadow row: the live document, or a tombstone keeping the version after a delete. */
export interface ShadowRow {
  readonly thing: string;
  /** `''` for the classic shadow. */
  readonly shadow: string;
  readonly version: number;
  /** JSON `{"state":…,"metadata":…}`, or `null` once deleted. */
  readonly doc: string | null;
  /** Epoch ms of the last change (or of the deletion). */
  readonly updatedAt: number;
}

/** One accepted change of a shadow. */
export interface HistoryEntry {
  readonly id: number;
  readonly thing: string;
  /** `''` for the classic shadow. */
  readonly shadow: string;
  readonly version: number;
  /** Epoch ms. */
  readonly at: number;
  /** Access key id that signed the request. */
  readonly keyId: string;
  readonly op: 'update' | 'delete';
  /** JSON of what the request changed (the accepted `state`), `null` for a delete. */
  readonly change: string | null;
  /** JSON of the state after the change, `null` for a delete. */
  readonly state: string | null;
}

/** One message kept on a topic. */
export interface TopicMessage {
  readonly id: number;
  readonly topic: string;
  readonly at: number;
  readonly qos: number;
  readonly payload: Buffer;
  readonly keyId: string;
}

/** Bounds of what the store keeps. */
export interface StoreOptions {
  readonly durability: Durability;
  readonly historyPerShadow: number;
  readonly messagesPerTopic: number;
}

/** A message to append in the same transaction as a shadow change. */
export interface PendingMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS shadows (
  thing TEXT NOT NULL,
  shadow TEXT NOT NULL,
  version INTEGER NOT NULL,
  doc TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (thing, shadow)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS history (
  id INTEGER PRIMARY KEY,
  thing TEXT NOT NULL,
  shadow TEXT NOT NULL,
  version INTEGER NOT NULL,
  at INTEGER NOT NULL,
  key_id TEXT NOT NULL,
  op TEXT NOT NULL,
  change TEXT,
  state TEXT
);
CREATE INDEX IF NOT EXISTS history_by_shadow ON history (thing, shadow, id);
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY,
  topic TEXT NOT NULL,
  at INTEGER NOT NULL,
  qos INTEGER NOT NULL,
  payload BLOB NOT NULL,
  key_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_topic ON messages (topic, id);
`;

interface RawHistory {
  id: number; thing: string; shadow: string; version: number; at: number; key_id: string; op: string; change: string | null; state: string | null;
}
interface RawMessage { id: number; topic: string; at: number; qos: number; payload: Buffer; key_id: string }
interface RawShadow { thing: string; shadow: string; version: number; doc: string | null; updated_at: number }

function historyFrom(r: RawHistory): HistoryEntry {
  return { id: r.id, thing: r.thing, shadow: r.shadow, version: r.version, at: r.at, keyId: r.key_id, op: r.op === 'delete' ? 'delete' : 'update', change: r.change, state: r.state };
}

/** The cloud's database: shadows, their history, and topic messages. */
export class CloudStore {
  private readonly db: Database.Database;
  private readonly o: StoreOptions;
  private readonly stmts: {
    getShadow: Database.Statement<[string, string], RawShadow>;
    putShadow: Database.Statement<[string, string, number, string | null, number]>;
    addHistory: Database.Statement<[string, string, number, number, string, string, string | null, string | null]>;
    pruneHistory: Database.Statement<[string, string, string, string, number]>;
    addMessage: Database.Statement<[string, number, number, Buffer, string]>;
    pruneMessages: Database.Statement<[string, string, number]>;
    listNamed: Database.Statement<[string, string, number], { shadow: string }>;
  };
  private readonly changeTx: (row: ShadowRow, entry: Omit<HistoryEntry, 'id' | 'thing' | 'shadow' | 'version' | 'at'>, messages: readonly PendingMessage[]) => void;

  /** Open (creating) `DIR/cloud.db`. */
  constructor(dir: string, o: StoreOptions) {
    fs.mkdirSync(dir, { recursive: true });
    this.o = o;
    this.db = new Database(path.join(dir, DB_FILE));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${o.durability === 'os' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.stmts = {
      getShadow: this.db.prepare('SELECT thing, shadow, version, doc, updated_at FROM shadows WHERE thing = ? AND shadow = ?'),
      putShadow: this.db.prepare(
        'INSERT INTO shadows (thing, shadow, version, doc, updated_at) VALUES (?, ?, ?, ?, ?) ' +
          'ON CONFLICT (thing, shadow) DO UPDATE SET version = excluded.version, doc = excluded.doc, updated_at = excluded.updated_at',
      ),
      addHistory: this.db.prepare('INSERT INTO history (thing, shadow, version, at, key_id, op, change, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      pruneHistory: this.db.prepare(
        'DELETE FROM history WHERE thing = ? AND shadow = ? AND id <= ' +
          '(SELECT id FROM history WHERE thing = ? AND shadow = ? ORDER BY id DESC LIMIT 1 OFFSET ?)',
      ),
      addMessage: this.db.prepare('INSERT INTO messages (topic, at, qos, payload, key_id) VALUES (?, ?, ?, ?, ?)'),
      pruneMessages: this.db.prepare(
        'DELETE FROM messages WHERE topic = ? AND id <= (SELECT id FROM messages WHERE topic = ? ORDER BY id DESC LIMIT 1 OFFSET ?)',
      ),
      listNamed: this.db.prepare(
        "SELECT shadow FROM shadows WHERE thing = ? AND shadow > ? AND doc IS NOT NULL ORDER BY shadow LIMIT ?",
      ),
    };
    this.changeTx = this.db.transaction((row, entry, messages) => {
      this.stmts.putShadow.run(row.thing, row.shadow, row.version, row.doc, row.updatedAt);
      this.stmts.addHistory.run(row.thing, row.shadow, row.version, row.updatedAt, entry.keyId, entry.op, entry.change, entry.state);
      this.stmts.pruneHistory.run(row.thing, row.shadow, row.thing, row.shadow, this.o.historyPerShadow);
      for (const m of messages) this.appendMessage(m.topic, m.payload, m.qos, entry.keyId, row.updatedAt);
    });
  }

  /** The row of a shadow (live or deleted), or undefined when it never existed. */
  getShadow(thing: string, shadow: string): ShadowRow | undefined {
    const r = this.stmts.getShadow.get(thing, shadow);
    return r === undefined ? undefined : { thing: r.thing, shadow: r.shadow, version: r.version, doc: r.doc, updatedAt: r.updated_at };
  }

  /**
   * Record a shadow change atomically: the new row, its history entry, and the messages it
   * publishes. Returns once committed (durable per {@link StoreOptions.durability}).
   */
  commitChange(row: ShadowRow, entry: { keyId: string; op: 'update' | 'delete'; change: string | null; state: string | null }, messages: readonly PendingMessage[]): void {
    this.changeTx(row, entry, messages);
  }

  /** Names of a thing's live named shadows after `after`, in byte order, at most `limit`. */
  listNamed(thing: string, after: string, limit: number): string[] {
    return this.stmts.listNamed.all(thing, after, limit).map((r) => r.shadow).filter((s) => s !== '');
  }

  private appendMessage(topic: string, payload: Buffer, qos: number, keyId: string, at: number): void {
    this.stmts.addMessage.run(topic, at, qos, payload, keyId);
    this.stmts.pruneMessages.run(topic, topic, this.o.messagesPerTopic);
  }

  /** Keep a published message (the oldest beyond the per-topic bound are dropped). */
  publish(topic: string, payload: Buffer, qos: number, keyId: string, at: number): void {
    this.appendMessage(topic, payload, qos, keyId, at);
  }

  /** The newest messages of a topic, newest first. */
  messages(topic: string, limit = 100): TopicMessage[] {
    return (this.db.prepare('SELECT id, topic, at, qos, payload, key_id FROM messages WHERE topic = ? ORDER BY id DESC LIMIT ?').all(topic, limit) as RawMessage[])
      .map((r) => ({ id: r.id, topic: r.topic, at: r.at, qos: r.qos, payload: r.payload, keyId: r.key_id }));
  }

  /** A thing's history, oldest first; one shadow only when `shadow` is given (`''` = classic). */
  history(thing: string, shadow?: string): HistoryEntry[] {
    return readHistory(this.db, thing, shadow);
  }

  /** Close the database (checkpointing the WAL). */
  close(): void {
    if (this.db.open) this.db.close();
  }
}

function readHistory(db: Database.Database, thing: string, shadow?: string): HistoryEntry[] {
  const rows = shadow === undefined
    ? (db.prepare('SELECT * FROM history WHERE thing = ? ORDER BY id').all(thing) as RawHistory[])
    : (db.prepare('SELECT * FROM history WHERE thing = ? AND shadow = ? ORDER BY id').all(thing, shadow) as RawHistory[]);
  return rows.map(historyFrom);
}

/**
 * Read a thing's history from a data directory without opening it for writing (the server may
 * be running); undefined when there is no database.
 */
export function readHistoryFromDir(dir: string, thing: string, shadow?: string): HistoryEntry[] | undefined {
  const file = path.join(dir, DB_FILE);
  if (!fs.existsSync(file)) return undefined;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return readHistory(db, thing, shadow);
  } finally {
    db.close();
  }
}
