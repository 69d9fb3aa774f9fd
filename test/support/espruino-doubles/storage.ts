/**
 * A double of Espruino's `Storage` module (src/jswrap_storage.c, measured on 2v29): names are
 * truncated to 28 chars; `read` of a missing file is `undefined`; an empty file cannot be created
 * (`Can't create zero length file`); a full flash throws `Unable to find or create file` after an
 * automatic compaction; erased and rewritten files stay as trash, not counted by `getFree`, until
 * `compact()`. The flash outlives a wake (it is the board's), and can tear the next write to
 * imitate a power cut.
 */
import { bytesOf8bit, type Realm } from './realm.js';

/** Bytes Espruino's Storage spends per file header. */
const HEADER_BYTES = 32;
/** Longest file name Espruino keeps. */
export const NAME_MAX = 28;

/** The board's flash: survives deep sleep and power loss. */
export class FlashDouble {
  readonly files = new Map<string, string>();
  trash = 0;
  writes = 0;
  compactions = 0;
  private tear: number | undefined;

  constructor(readonly capacity = 896 * 1024) {}

  /** Bytes taken by files and trash. */
  used(): number {
    let n = this.trash;
    for (const v of this.files.values()) n += v.length + HEADER_BYTES;
    return n;
  }

  /** The next write stores only the first `fraction` of its data (the rest erased flash, 0xFF) and then the power is cut. */
  tearNextWrite(fraction: number): void {
    this.tear = fraction;
  }

  /** Consumed by the module double. */
  takeTear(): number | undefined {
    const t = this.tear;
    this.tear = undefined;
    return t;
  }
}

/** Thrown by a torn write: the wake ends there, as a power cut would end it. */
export class PowerCut extends Error {
  constructor() {
    super('power cut while writing flash');
  }
}

/** `require('Storage')` over `flash`. */
export function createStorageModule(flash: FlashDouble, realm: Realm, onPowerCut: () => void): Record<string, unknown> {
  const name28 = (name: unknown): string => String(name).substring(0, NAME_MAX);
  const S = {
    read(name: string, offset?: number, length?: number): string | undefined {
      const v = flash.files.get(name28(name));
      if (v === undefined) return undefined;
      const o = offset === undefined ? 0 : offset;
      return length === undefined ? v.substring(o) : v.substring(o, o + length);
    },
    readJSON(name: string, noExceptions?: boolean): unknown {
      const v = flash.files.get(name28(name));
      if (v === undefined) return undefined;
      try {
        return realm.clone(JSON.parse(v));
      } catch (e) {
        if (noExceptions) return undefined;
        throw new realm.Error((e as Error).message);
      }
    },
    write(name: string, data: unknown, offset?: number, size?: number): boolean {
      if (offset !== undefined || size !== undefined) throw new Error('espruino double: Storage.write with offset/size is not imitated');
      const n = name28(name);
      const text = typeof data === 'string' ? data : String(data);
      bytesOf8bit(text, `Storage.write(${JSON.stringify(n)})`);
      if (text.length === 0) throw new realm.Error("Can't create zero length file");
      const old = flash.files.get(n);
      const need = text.length + HEADER_BYTES;
      if (flash.capacity - flash.used() < need) {
        flash.trash = 0; // Espruino compacts on its own when a write does not fit
        flash.compactions++;
        const free = flash.capacity - flash.used() + (old === undefined ? 0 : old.length + HEADER_BYTES);
        if (free < need) throw new realm.Error('Unable to find or create file');
      }
      if (old !== undefined) {
        flash.files.delete(n);
        flash.trash += old.length + HEADER_BYTES;
      }
      flash.writes++;
      const tear = flash.takeTear();
      if (tear !== undefined) {
        const keep = Math.floor(text.length * tear);
        flash.files.set(n, text.substring(0, keep) + '\xff'.repeat(text.length - keep));
        onPowerCut();
        throw new PowerCut();
      }
      flash.files.set(n, text);
      return true;
    },
    writeJSON(name: string, data: unknown): boolean {
      return S.write(name, JSON.stringify(data));
    },
    erase(name: string): void {
      const n = name28(name);
      const old = flash.files.get(n);
      if (old === undefined) return;
      flash.files.delete(n);
      flash.trash += old.length + HEADER_BYTES;
    },
    list(pattern?: RegExp): string[] {
      const names = [...flash.files.keys()].filter((k) => (pattern === undefined ? true : new RegExp(pattern.source, pattern.flags).test(k)));
      return realm.clone(names);
    },
    getFree(): number {
      return flash.capacity - flash.used();
    },
    compact(): void {
      flash.trash = 0;
      flash.compactions++;
    },
    getStats(): Record<string, number> {
      let fileBytes = 0;
      for (const v of flash.files.values()) fileBytes += v.length + HEADER_BYTES;
      return realm.clone({
        totalBytes: flash.capacity,
        freeBytes: flash.capacity - flash.used(),
        fileBytes,
        fileCount: flash.files.size,
        trashBytes: flash.trash,
        trashCount: 0,
      });
    },
  };
  return S;
}
