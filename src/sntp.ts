/**
 * SNTP (RFC 4330): the 48-byte request/reply codec and a one-server client over `hal.udp`.
 * SigV4 needs the clock within 5 minutes, and a failed sync must be an error, not a shrug (the
 * seed printed ETIMEDOUT and signed with a wrong clock anyway).
 *
 * Engine-neutral and Espruino-safe: NTP seconds exceed 2^31, so 32-bit fields are assembled with
 * multiplication and `%`, never with bit operations on the whole value. Eras: a timestamp whose
 * top bit is clear is read as era 1 (from 2036-02-07), as RFC 4330 section 3 suggests, so the
 * codec covers 1968..2104; no wider.
 */
import type { Clock, Udp } from '../hal/hal.js';
import { DormouseError } from './errors.js';

/** Size of an SNTP packet without extensions. */
export const SNTP_PACKET_BYTES = 48;
/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
export const NTP_UNIX_OFFSET_S = 2208988800;
const TWO32 = 4294967296;
const TWO31 = 2147483648;

/** A decoded, validated server reply. Times are epoch ms with sub-ms fractions. */
export interface SntpReply {
  /** Leap indicator 0..2 (3, alarm, is rejected). */
  readonly leap: number;
  readonly version: number;
  readonly stratum: number;
  /** Server receive time of our request (T2). */
  readonly receiveMs: number;
  /** Server transmit time of the reply (T3). */
  readonly transmitMs: number;
  /** Our transmit timestamp echoed back (T1 with our random low bits). */
  readonly originateMs: number;
}

/** What {@link sntpSync} measured. It does not set the clock: the caller decides. */
export interface SntpResult {
  /** True time minus device time, ms: `((T2−T1)+(T3−T4))/2`. */
  readonly offsetMs: number;
  /** `(T4−T1)−(T3−T2)`, ms (never negative). */
  readonly roundTripMs: number;
  readonly stratum: number;
  /** The server's time when the reply arrived: device time then + offset (epoch ms). */
  readonly serverTimeMs: number;
}

/** Options of {@link sntpSync}. */
export interface SntpOptions {
  readonly host: string;
  readonly port?: number;
  /** How long one attempt waits for its reply (ms). */
  readonly timeoutMs?: number;
  /** Attempts after the first one. */
  readonly retries?: number;
  /**
   * Random bytes (`hal.crypto.random`) for the low bits of our transmit timestamp, so a reply
   * can be matched to its request. Without it the bits are derived from the clock.
   */
  readonly random?: (n: number) => Uint8Array;
}

/** Defaults of {@link SntpOptions}: 3 attempts of 1.5 s. */
export const SNTP_DEFAULTS = { port: 123, timeoutMs: 1500, retries: 2 };

function fail(message: string): DormouseError {
  return new DormouseError('ETIME', message);
}

function read32(p: Uint8Array, at: number): number {
  return (p[at] as number) * 16777216 + (p[at + 1] as number) * 65536 + (p[at + 2] as number) * 256 + (p[at + 3] as number);
}

function write32(p: Uint8Array, at: number, v: number): void {
  p[at] = Math.floor(v / 16777216) % 256;
  p[at + 1] = Math.floor(v / 65536) % 256;
  p[at + 2] = Math.floor(v / 256) % 256;
  p[at + 3] = v % 256;
}

/** The NTP timestamp at byte `at` of `p` as epoch ms (era rule above); 0 for an all-zero field. */
export function readNtpTime(p: Uint8Array, at: number): number {
  let s = read32(p, at);
  const f = read32(p, at + 4);
  if (s === 0 && f === 0) return 0;
  if (s < TWO31) s += TWO32;
  return (s - NTP_UNIX_OFFSET_S) * 1000 + (f * 1000) / TWO32;
}

/**
 * Write epoch ms `ms` as an NTP timestamp at byte `at`; `low16` (0..65535) replaces the low 16
 * bits of the fraction (15 µs: below the ms precision that matters).
 */
export function writeNtpTime(p: Uint8Array, at: number, ms: number, low16?: number): void {
  const sec = Math.floor(ms / 1000);
  let frac = Math.floor(((ms - sec * 1000) * TWO32) / 1000);
  if (low16 !== undefined) frac = frac - (frac % 65536) + (low16 % 65536);
  write32(p, at, (sec + NTP_UNIX_OFFSET_S) % TWO32);
  write32(p, at + 4, frac);
}

/** A client request (LI 0, version 4, mode 3) carrying `transmitMs` (+ random low bits) as its transmit timestamp. */
export function encodeSntpRequest(transmitMs: number, random?: Uint8Array): Uint8Array {
  const p = new Uint8Array(SNTP_PACKET_BYTES);
  p[0] = 0x23;
  writeNtpTime(p, 40, transmitMs, random && random.length >= 2 ? (random[0] as number) * 256 + (random[1] as number) : undefined);
  return p;
}

/** The 8 transmit-timestamp bytes of a request, for matching its reply. */
export function transmitStamp(request: Uint8Array): Uint8Array {
  const t = new Uint8Array(8);
  for (let i = 0; i < 8; i++) t[i] = request[40 + i] as number;
  return t;
}

/**
 * Decode and validate a server reply to the request whose transmit timestamp was `sentTransmit`
 * (its 8 bytes, or the whole 48-byte request). Throws `ETIME` saying what is wrong: too short,
 * not server mode, bad version, kiss-o'-death (with its code), alarm, unsynchronized stratum,
 * zero transmit time, or an originate field that does not echo our transmit timestamp.
 */
export function decodeSntpResponse(packet: Uint8Array, sentTransmit: Uint8Array): SntpReply {
  if (packet.length < SNTP_PACKET_BYTES) throw fail('expected at least ' + SNTP_PACKET_BYTES + ' bytes, got ' + packet.length);
  const b0 = packet[0] as number;
  const leap = b0 >> 6;
  const version = (b0 >> 3) & 7;
  const mode = b0 & 7;
  const stratum = packet[1] as number;
  if (mode !== 4) throw fail('expected server mode 4, got ' + mode);
  if (version !== 3 && version !== 4) throw fail('expected version 3 or 4, got ' + version);
  if (stratum === 0) {
    let kiss = '';
    for (let i = 12; i < 16; i++) {
      const c = packet[i] as number;
      kiss += c >= 32 && c < 127 ? String.fromCharCode(c) : '?';
    }
    throw fail('kiss-o\'-death ' + kiss + ' (stratum 0): the server refuses to serve time');
  }
  if (leap === 3) throw fail('expected a synchronized server, got leap indicator 3 (alarm: clock not synchronized)');
  if (stratum > 15) throw fail('expected stratum 1..15, got ' + stratum + ' (unsynchronized)');
  const transmitMs = readNtpTime(packet, 40);
  if (transmitMs === 0) throw fail('expected a transmit timestamp, got zero');
  const off = sentTransmit.length >= SNTP_PACKET_BYTES ? 40 : 0;
  for (let i = 0; i < 8; i++) {
    if (packet[24 + i] !== sentTransmit[off + i]) {
      throw fail('expected the originate timestamp to echo our transmit timestamp, got another (stale or spoofed reply)');
    }
  }
  return { leap, version, stratum, receiveMs: readNtpTime(packet, 32), transmitMs, originateMs: readNtpTime(packet, 24) };
}

/** Offset and round trip from the four times of an exchange (RFC 4330 section 5), rounded to ms. */
export function sntpOffset(t1: number, t2: number, t3: number, t4: number): { offsetMs: number; roundTripMs: number } {
  const rt = Math.round(t4 - t1 - (t3 - t2));
  return { offsetMs: Math.round((t2 - t1 + (t3 - t4)) / 2), roundTripMs: rt < 0 ? 0 : rt };
}

/**
 * Ask one SNTP server for the time: up to `1 + retries` attempts of `timeoutMs` each. Resolves
 * with the offset; does NOT set the clock. Rejects with `ETIME`: at once on a kiss-o'-death,
 * else after the last attempt (`no SNTP reply from H:P after 3 attempts (ETIMEOUT)`, or what was
 * wrong with the last reply).
 */
export function sntpSync(udp: Udp, clock: Pick<Clock, 'now'>, o: SntpOptions): Promise<SntpResult> {
  const port = o.port === undefined ? SNTP_DEFAULTS.port : o.port;
  const timeoutMs = o.timeoutMs === undefined ? SNTP_DEFAULTS.timeoutMs : o.timeoutMs;
  const attempts = 1 + (o.retries === undefined ? SNTP_DEFAULTS.retries : o.retries);
  const where = o.host + ':' + port;
  const attempt = (n: number): Promise<SntpResult> => {
    const t1 = clock.now();
    const rnd = o.random ? o.random(2) : undefined;
    const low = rnd ? rnd : new Uint8Array([Math.floor(t1 / 7) % 256, (t1 * 31 + n * 97) % 256]);
    const req = encodeSntpRequest(t1, low);
    return udp.exchange(o.host, port, req, timeoutMs).then(
      (packet) => {
        const t4 = clock.now();
        let reply: SntpReply;
        try {
          reply = decodeSntpResponse(packet, req);
        } catch (e) {
          const err = fail('SNTP reply from ' + where + ': ' + (e as Error).message);
          // A kiss-o'-death means "stop asking"; other bad replies may be strays: try again.
          if ((e as Error).message.indexOf('kiss') === 0 || n >= attempts) throw err;
          return attempt(n + 1);
        }
        const r = sntpOffset(t1, reply.receiveMs, reply.transmitMs, t4);
        return { offsetMs: r.offsetMs, roundTripMs: r.roundTripMs, stratum: reply.stratum, serverTimeMs: t4 + r.offsetMs };
      },
      (e: unknown) => {
        const code = e !== null && typeof e === 'object' ? (e as { code?: unknown }).code : undefined;
        if (n < attempts) return attempt(n + 1);
        const why = typeof code === 'string' ? code : 'EUDP';
        throw fail('no SNTP reply from ' + where + ' after ' + attempts + ' attempt' + (attempts > 1 ? 's' : '') + ' (' + why + ')');
      },
    );
  };
  return attempt(1);
}
