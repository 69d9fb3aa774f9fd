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

/** Joins items into the status line: errors first, in the order given; at most `maxChars`. */
export function statusLine(items: readonly StatusItem[], maxChars: number, secrets?: readonly string[]): string {
  if (items.length === 0) return NOTHING_TO_DO;
  const errors: string[] = [];
  const done: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const it = items[i] as StatusItem;
    const text = it.text.replace(/[\r\n\t]+/g, ' ');
    if (it.kind === 'error') errors.push(text);
    else done.push(text);
  }
  let line = (errors.length > 0 ? 'error: ' : 'done: ') + errors.concat(done).join('; ');
  if (secrets) line = scrub(line, secrets);
  if (line.length > maxChars) line = `${line.substring(0, maxChars - 3)}...`;
  return line;
}
