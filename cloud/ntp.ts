/**
 * A minimal SNTP server (RFC 4330, server mode) answering from the host clock, so simulated
 * devices on an offline laptop still have a time server. Only well-formed client requests get
 * an answer; anything else is dropped.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { SNTP_PACKET_BYTES, writeNtpTime } from '../src/sntp.js';

/**
 * The reply to a client request received at `receivedMs`, or undefined when the packet is not
 * a client request (too short, mode other than 3, version outside 1..4).
 */
export function sntpReply(request: Buffer, receivedMs: number, transmitMs: number): Buffer | undefined {
  if (request.length < SNTP_PACKET_BYTES) return undefined;
  const first = request[0] as number;
  const version = (first >> 3) & 7;
  const mode = first & 7;
  if (mode !== 3 || version < 1 || version > 4) return undefined;
  const reply = Buffer.alloc(SNTP_PACKET_BYTES);
  reply[0] = (0 << 6) | (version << 3) | 4; // LI 0, client's version, mode 4 (server)
  reply[1] = 1; // stratum 1: the host clock is this server's reference
  reply[2] = request[2] as number; // poll, echoed
  reply.writeInt8(-20, 3); // precision ≈ 1 µs
  reply.writeUInt32BE(0, 4); // root delay
  reply.writeUInt32BE(0x00000010, 8); // root dispersion ≈ 0.25 ms
  reply.write('LOCL', 12, 'ascii'); // reference id: local clock
  writeNtpTime(reply, 16, transmitMs); // reference time
  request.copy(reply, 24, 40, 48); // originate = the client's transmit timestamp
  writeNtpTime(reply, 32, receivedMs);
  writeNtpTime(reply, 40, transmitMs);
  return reply;
}

/** A running SNTP responder. */
export interface NtpResponder {
  readonly port: number;
  close(): Promise<void>;
}

/** Answer SNTP on host:port (port 0 picks one) from `now()`. */
export function startNtp(host: string, port: number, now: () => number, log: (line: string) => void): Promise<NtpResponder> {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  socket.on('message', (msg, rinfo) => {
    const received = now();
    const reply = sntpReply(msg, received, now());
    if (reply !== undefined) socket.send(reply, rinfo.port, rinfo.address);
  });
  socket.on('error', (e) => log(`SNTP: ${e.message}`));
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.removeListener('error', reject);
      resolve({
        port: socket.address().port,
        close: () => new Promise((r) => socket.close(() => r())),
      });
    });
  });
}
