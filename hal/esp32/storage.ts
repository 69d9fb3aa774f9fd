/**
 * Small named files in Espruino's Storage (flash), each write atomic.
 *
 * A file `name` is kept in two slots, `name~a` and `name~b`, each holding a header
 * `DMS1 <seq> <crc32> <length>\n` and the UTF-8 bytes of the contents. A write goes to the slot
 * that does not hold the newest valid copy, with the next sequence number; a read returns the
 * newest slot whose length and CRC check. A power cut while writing leaves a torn slot that
 * fails its check, so the previous copy is read: old or new, never a mix. A write whose contents
 * equal the newest copy does nothing (flash wear).
 *
 * A plain file `name` (as `flash.sh` uploads config and credentials) is read as it is; it wins
 * over the slots because only an upload creates it (a device-side write erases it).
 *
 * Espruino facts this relies on (src/jswrap_storage.c, measured on 2v29): names over 28 chars are
 * silently truncated, so names are checked here; empty files cannot be created; `read` of a
 * missing file is `undefined`; a full flash throws `Unable to find or create file`; erased files
 * stay as trash until `compact()`.
 */
import type { Storage } from '../hal.js';
import { halError, thrownText } from './errors.js';
import { storageModule } from './espruino.js';
import { decodeUtf8, utf8ByteString } from './text.js';

/** Longest Storage file name Espruino keeps. */
export const STORAGE_NAME_MAX = 28;
const SLOTS = ['~a', '~b'];
const MAGIC = 'DMS1';
/** Longest name a caller may use: the slot suffix takes two chars. */
export const FILE_NAME_MAX = STORAGE_NAME_MAX - 2;

/** CRC-32 (IEEE) of an 8-bit string: native `E.CRC32` where the build has it. */
export function crc32(bytes: string): number {
  if (typeof E.CRC32 === 'function') return E.CRC32(bytes) >>> 0;
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    c ^= bytes.charCodeAt(i) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

interface Slot {
  readonly file: string;
  readonly seq: number;
  readonly valid: boolean;
  readonly payload: string;
}

function parseSlot(file: string, raw: string | undefined): Slot | undefined {
  if (raw === undefined) return undefined;
  const nl = raw.indexOf('\n');
  const head = nl > 0 ? raw.substring(0, nl).split(' ') : [];
  if (head.length !== 4 || head[0] !== MAGIC) return { file, seq: -1, valid: false, payload: raw };
  const seq = parseInt(head[1] as string, 10);
  const crc = parseInt(head[2] as string, 16);
  const len = parseInt(head[3] as string, 10);
  const payload = raw.substring(nl + 1);
  const valid = isFinite(seq) && isFinite(len) && payload.length === len && crc32(payload) === crc;
  return { file, seq: isFinite(seq) ? seq : -1, valid, payload };
}

function checkName(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > FILE_NAME_MAX) {
    throw halError('ESTORAGE', `storage: file name must be 1..${FILE_NAME_MAX} chars, got ${JSON.stringify(name)}`);
  }
}

/** Options of {@link createEsp32Storage}. */
export interface Esp32StorageOptions {
  /** Bytes kept free beyond a write's size before it is attempted (Storage's own headers). */
  readonly reserveBytes: number;
}

/** Defaults of {@link Esp32StorageOptions}. */
export const STORAGE_DEFAULTS: Esp32StorageOptions = { reserveBytes: 128 };

/** The HAL's {@link Storage} on Espruino's flash, with atomic writes. */
export function createEsp32Storage(options?: Partial<Esp32StorageOptions>): Storage {
  const reserve = options && options.reserveBytes !== undefined ? options.reserveBytes : STORAGE_DEFAULTS.reserveBytes;

  function slots(name: string): Slot[] {
    const S = storageModule();
    const out: Slot[] = [];
    for (let i = 0; i < SLOTS.length; i++) {
      const file = name + SLOTS[i];
      const s = parseSlot(file, S.read(file));
      if (s !== undefined) out.push(s);
    }
    return out;
  }

  function newest(all: Slot[], validOnly: boolean): Slot | undefined {
    let best: Slot | undefined;
    for (let i = 0; i < all.length; i++) {
      const s = all[i] as Slot;
      if (validOnly && !s.valid) continue;
      if (best === undefined || s.seq > best.seq) best = s;
    }
    return best;
  }

  function ensureSpace(S: EspruinoStorage, needed: number): void {
    if (S.getFree() >= needed + reserve) return;
    // Erased files are trash until compacted; compacting can take seconds on a board.
    S.compact();
    const free = S.getFree();
    if (free < needed + reserve) {
      throw halError('EFULL', `storage: flash full: ${free} bytes free, ${needed + reserve} needed`);
    }
  }

  function writeFile(S: EspruinoStorage, file: string, text: string): void {
    ensureSpace(S, text.length);
    let ok: boolean;
    try {
      ok = S.write(file, text);
    } catch (e) {
      const msg = thrownText(e);
      if (msg.indexOf('Unable to find') >= 0 || msg.indexOf('space') >= 0) {
        throw halError('EFULL', `storage: flash full writing ${file}: ${msg}`);
      }
      throw halError('ESTORAGE', `storage: writing ${file} failed: ${msg}`);
    }
    if (ok === false || S.read(file) !== text) {
      throw halError('ESTORAGE', `storage: writing ${file} failed: the file does not read back as written`);
    }
  }

  return {
    read(name: string): string | undefined {
      checkName(name);
      const S = storageModule();
      let plain: string | undefined;
      try {
        plain = S.read(name);
      } catch (e) {
        throw halError('ESTORAGE', `storage: reading ${name} failed: ${thrownText(e)}`);
      }
      if (plain !== undefined) return decodeUtf8(plain);
      const all = slots(name);
      const best = newest(all, true);
      if (best !== undefined) return decodeUtf8(best.payload);
      // Every slot is damaged: hand back the newest contents so the caller's checksum reports it.
      const damaged = newest(all, false);
      return damaged === undefined ? undefined : decodeUtf8(damaged.payload);
    },

    write(name: string, data: string): void {
      checkName(name);
      if (typeof data !== 'string') throw halError('ESTORAGE', `storage: ${name}: expected string contents, got ${typeof data}`);
      const S = storageModule();
      const payload = utf8ByteString(data);
      const all = slots(name);
      const cur = newest(all, true);
      const plainExists = S.read(name) !== undefined;
      if (cur !== undefined && cur.payload === payload && !plainExists) return;
      const seq = cur === undefined ? 1 : cur.seq + 1;
      const target = cur !== undefined && cur.file === name + SLOTS[0] ? name + SLOTS[1] : name + SLOTS[0];
      const text = `${MAGIC} ${seq} ${crc32(payload).toString(16)} ${payload.length}\n${payload}`;
      writeFile(S, target, text);
      if (plainExists) S.erase(name);
    },

    remove(name: string): void {
      checkName(name);
      const S = storageModule();
      try {
        S.erase(name);
        for (let i = 0; i < SLOTS.length; i++) S.erase(name + SLOTS[i]);
      } catch (e) {
        throw halError('ESTORAGE', `storage: removing ${name} failed: ${thrownText(e)}`);
      }
    },
  };
}
