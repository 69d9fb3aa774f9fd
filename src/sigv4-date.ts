/**
 * SigV4 timestamps: `X-Amz-Date` (`20150830T123600Z`) and the scope day (`20150830`), formatted
 * and parsed with plain arithmetic (Espruino has no `Date.UTC`, and an invalid `Date` is 0 there).
 */
import { DormouseError } from './errors.js';

/** Latest instant with a four-digit year (9999-12-31T23:59:59.999Z), in epoch ms. */
const MAX_EPOCH_MS = 253402300799999;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * `X-Amz-Date` of an instant (epoch ms): `YYYYMMDDTHHMMSSZ`, UTC. Throws `EINVALID` for
 * anything but a finite time from 1970 to year 9999.
 */
export function formatAmzDate(epochMs: number): string {
  if (typeof epochMs !== 'number' || !isFinite(epochMs) || epochMs < 0 || epochMs > MAX_EPOCH_MS) {
    throw new DormouseError(
      'EINVALID',
      `sigv4: expected the signing time as epoch milliseconds (1970..9999), got ${typeof epochMs === 'number' ? String(epochMs) : typeof epochMs}`,
    );
  }
  const d = new Date(epochMs);
  return (
    pad(d.getUTCFullYear(), 4) +
    pad(d.getUTCMonth() + 1, 2) +
    pad(d.getUTCDate(), 2) +
    'T' +
    pad(d.getUTCHours(), 2) +
    pad(d.getUTCMinutes(), 2) +
    pad(d.getUTCSeconds(), 2) +
    'Z'
  );
}

/** The scope day (`YYYYMMDD`) of an `X-Amz-Date`. */
export function amzDay(amzDate: string): string {
  return amzDate.substring(0, 8);
}

/** Days from 1970-01-01 to the given proleptic Gregorian date (month 1..12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12; // March = 0
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Epoch ms of an `X-Amz-Date` (`20150830T123600Z`), or `undefined` when the text is not
 * exactly that form or names no real instant (month 13, 31 April, 25 o'clock).
 */
export function parseAmzDate(text: string): number | undefined {
  if (typeof text !== 'string' || !/^\d\d\d\d\d\d\d\dT\d\d\d\d\d\dZ$/.test(text)) return undefined;
  const num = (from: number, to: number): number => parseInt(text.substring(from, to), 10);
  const year = num(0, 4);
  const month = num(4, 6);
  const day = num(6, 8);
  const hour = num(9, 11);
  const minute = num(11, 13);
  const second = num(13, 15);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60000 + second * 1000;
}
