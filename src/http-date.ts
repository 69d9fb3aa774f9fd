/**
 * HTTP `Date` headers (RFC 1123, `Sun, 06 Nov 1994 08:49:37 GMT`) to epoch ms, by hand: Espruino
 * has no `Date.UTC` and turns an invalid date into epoch 0, so `Date.parse` cannot be trusted to
 * say "invalid". Engine-neutral and Espruino-safe.
 */
import { daysFromCivil } from './sigv4-date.js';

const MONTHS = 'janfebmaraprmayjunjulaugsepoctnovdec';
const DIGITS = /^\d+$/;

function num(text: string | undefined, len: number): number {
  return typeof text === 'string' && text.length === len && DIGITS.test(text) ? +text : -1;
}

/**
 * Epoch ms of an RFC 1123 date (`GMT`), or `undefined` when `text` is absent or not such a date
 * (including impossible fields such as `31 Feb` or `25:00:00`). Parsed without regex groups or
 * `?`: Espruino 2v29's RegExp gets both wrong.
 */
export function parseHttpDate(text: string | undefined): number | undefined {
  if (typeof text !== 'string') return undefined;
  const parts = text.split(' ').filter((p) => p !== '');
  if (parts.length === 6 && (parts[0] as string).endsWith(',')) parts.shift();
  if (parts.length !== 5) return undefined;
  const zone = (parts[4] as string).toUpperCase();
  if (zone !== 'GMT' && zone !== 'UTC' && zone !== '+0000') return undefined;
  const dayText = parts[0] as string;
  const day = num(dayText, dayText.length === 1 ? 1 : 2);
  const monthName = (parts[1] as string).toLowerCase();
  const month = monthName.length === 3 ? MONTHS.indexOf(monthName) : -1;
  const year = num(parts[2], 4);
  const hms = (parts[3] as string).split(':');
  const h = num(hms[0], 2);
  const mi = num(hms[1], 2);
  const s = num(hms[2], 2);
  if (hms.length !== 3 || month < 0 || month % 3 !== 0 || year < 0 || h < 0 || mi < 0 || s < 0) return undefined;
  const mon = month / 3 + 1;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const dim = mon === 2 ? (leap ? 29 : 28) : mon === 4 || mon === 6 || mon === 9 || mon === 11 ? 30 : 31;
  if (day < 1 || day > dim || h > 23 || mi > 59 || s > 60) return undefined;
  return ((daysFromCivil(year, mon, day) * 24 + h) * 60 + mi) * 60000 + s * 1000;
}
