/**
 * The status line a wake reports: one line saying what it did, `done: …` or `error: …`.
 * Items are joined with `; `, errors first; a failure that came with a code shows it
 * (`error: ENET: wifi join failed (no AP)`). Bounded in length and scrubbed of secrets.
 */
import type { ErrorCode } from './errors.js';

/** One part of the status line. */
export interface StatusItem {
  readonly kind: 'error' | 'done';
  readonly text: string;
}

/** Most status items an unsent report carries over to the next wake (the line holds 300 characters anyway). */
export const UNREPORTED_MAX = 12;

/**
 * `newer` then `older`, without repeating an item (same kind and text), at most
 * {@link UNREPORTED_MAX}: what a report that could not be sent carries into the next wake.
 */
export function mergeItems(newer: readonly StatusItem[], older: readonly StatusItem[]): StatusItem[] {
  const out: StatusItem[] = [];
  const all = newer.concat(older);
  for (let i = 0; i < all.length && out.length < UNREPORTED_MAX; i++) {
    const it = all[i] as StatusItem;
    let seen = false;
    for (let k = 0; k < out.length && !seen; k++) seen = (out[k] as StatusItem).kind === it.kind && (out[k] as StatusItem).text === it.text;
    if (!seen) out.push({ kind: it.kind, text: it.text });
  }
  return out;
}

/** The line of a wake that had nothing to say. */
export const NOTHING_TO_DO = 'done: nothing to do';

/** Codes shown in the status; the others (validation, handler, interruption) speak for themselves. */
export function showsCode(code: ErrorCode): boolean {
  return code !== 'EINVALID' && code !== 'EHANDLER' && code !== 'EINTERRUPTED' && code !== 'EINTERNAL';
}

/** A failure as a status item: `ENET: wifi join failed (no AP)`. */
export function failureItem(code: ErrorCode, message: string): StatusItem {
  return { kind: 'error', text: showsCode(code) ? `${code}: ${message}` : message };
}

/** Replaces every occurrence of each secret (4 characters or more) with `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (let i = 0; i < secrets.length; i++) {
    const s = secrets[i];
    if (typeof s === 'string' && s.length >= 4 && out.indexOf(s) >= 0) out = out.split(s).join('***');
  }
  return scrubPieces(out, secrets);
}

/** Shortest piece of a secret that is hidden on its own (a value quoted and cut short). */
const MIN_SECRET_PIECE = 8;

function isKeyChar(c: string): boolean {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c === '+' || c === '/' || c === '=' || c === '_' || c === '-';
}

/**
 * Hides every run of key characters (base64 and URL-safe) of 8 or more that stands inside a
 * secret: a message that quotes a secret cut to its first 36 characters must not show them.
 */
function scrubPieces(text: string, secrets: readonly string[]): string {
  let out = '';
  let run = '';
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charAt(i) : '';
    if (c !== '' && isKeyChar(c)) {
      run += c;
      continue;
    }
    let hidden = false;
    if (run.length >= MIN_SECRET_PIECE) {
      for (let k = 0; k < secrets.length && !hidden; k++) {
        const s = secrets[k];
        hidden = typeof s === 'string' && s.indexOf(run) >= 0;
      }
    }
    out += (hidden ? '***' : run) + c;
    run = '';
  }
  return out;
}

/** Shortest an item is cut to when the line is too long: its code and the start of its message. */
const ITEM_MIN_CHARS = 24;

const SEPARATOR = '; ';

/**
 * Joins items into the status line: errors first, in the order given; at most `maxChars`.
 * When they do not fit, the longest items are cut first (each keeps at least its head, where the
 * code is), so one long message cannot push the codes of the others off the line.
 */
export function statusLine(items: readonly StatusItem[], maxChars: number, secrets?: readonly string[]): string {
  if (items.length === 0) return NOTHING_TO_DO;
  const errors: string[] = [];
  const done: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const it = items[i] as StatusItem;
    let text = it.text.replace(/[\r\n\t]+/g, ' ');
    if (secrets) text = scrub(text, secrets);
    if (it.kind === 'error') errors.push(text);
    else done.push(text);
  }
  const prefix = errors.length > 0 ? 'error: ' : 'done: ';
  const texts = fitTexts(errors.concat(done), maxChars - prefix.length);
  let line = prefix + texts.join(SEPARATOR);
  if (line.length > maxChars) line = `${line.substring(0, maxChars - 3)}...`;
  return line;
}

/** Cuts the longest texts until they fit `chars` joined (an equal share each, short ones whole). */
function fitTexts(texts: string[], chars: number): string[] {
  let total = SEPARATOR.length * (texts.length - 1);
  for (let i = 0; i < texts.length; i++) total += (texts[i] as string).length;
  if (total <= chars) return texts;
  const lengths: number[] = [];
  for (let i = 0; i < texts.length; i++) lengths.push((texts[i] as string).length);
  lengths.sort((a, b) => a - b);
  let left = chars - SEPARATOR.length * (texts.length - 1);
  let count = texts.length;
  let share = Math.floor(left / count);
  for (let i = 0; i < lengths.length && count > 1 && (lengths[i] as number) <= share; i++) {
    left -= lengths[i] as number;
    count--;
    share = Math.floor(left / count);
  }
  if (share < ITEM_MIN_CHARS) share = ITEM_MIN_CHARS;
  const out: string[] = [];
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i] as string;
    out.push(t.length > share ? `${t.substring(0, share - 3)}...` : t);
  }
  return out;
}
