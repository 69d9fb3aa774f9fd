/**
 * An incremental HTTP/1.1 response parser over 8-bit strings (what Espruino sockets deliver):
 * status line, headers (names lower-cased, repeats joined with `, `), then a body delimited by
 * `Content-Length`, by chunked transfer coding, or by the connection closing. Interim `1xx`
 * responses are skipped. Malformed input throws `EHTTP`.
 */
import { halError } from './errors.js';

/** A complete response as bytes. */
export interface ParsedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Body bytes as an 8-bit string (chunked coding removed). */
  readonly body: string;
  /** False when the server asked to close, or the body was delimited by the close. */
  readonly keepAlive: boolean;
}

/** Limits of one response. */
export interface ResponseLimits {
  readonly maxHeaderBytes: number;
  readonly maxBodyBytes: number;
}

type Phase = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailer' | 'until-close' | 'done';

const DIGITS = /^[0-9]+$/;
const HEX = /^[0-9a-fA-F]+$/;

/** Feed it what the socket delivers; it says when the response is complete. */
export class ResponseParser {
  private buf = '';
  private phase: Phase = 'head';
  private status = 0;
  private headers: Record<string, string> = {};
  private body = '';
  private remaining = 0;
  private keepAlive = true;
  private readonly noBody: boolean;
  private readonly limits: ResponseLimits;
  /** Bytes fed so far. */
  bytesIn = 0;

  constructor(method: string, limits: ResponseLimits) {
    this.noBody = method === 'HEAD';
    this.limits = limits;
  }

  /** True once the whole response has arrived. */
  get done(): boolean {
    return this.phase === 'done';
  }

  /** True once the status line and headers have arrived. */
  get hadHead(): boolean {
    return this.phase !== 'head';
  }

  /** Where the parser stands, for a timeout or close message. */
  describe(): string {
    if (this.phase === 'head') return this.bytesIn === 0 ? 'no response yet' : `incomplete headers (${this.bytesIn} bytes)`;
    if (this.phase === 'length') return `${this.body.length} of ${this.body.length + this.remaining} body bytes`;
    if (this.phase === 'until-close') return `${this.body.length} body bytes, waiting for the close`;
    if (this.phase === 'done') return 'complete';
    return `chunked body, ${this.body.length} bytes so far`;
  }

  /** Consume received bytes. Throws `EHTTP` on malformed input. */
  feed(data: string): void {
    this.bytesIn += data.length;
    this.buf += data;
    let progressed = true;
    while (progressed && this.phase !== 'done') progressed = this.step();
    if (this.body.length > this.limits.maxBodyBytes) {
      throw halError('EHTTP', `response body exceeds ${this.limits.maxBodyBytes} bytes`);
    }
  }

  /** The connection closed: completes a body delimited by the close, else it stays incomplete. */
  closed(): void {
    if (this.phase === 'until-close') {
      this.body += this.buf;
      this.buf = '';
      this.keepAlive = false;
      this.phase = 'done';
    }
  }

  /** The response; only once {@link done}. Bytes after it (a misbehaving server) forbid reuse. */
  result(): ParsedResponse {
    return { status: this.status, headers: this.headers, body: this.body, keepAlive: this.keepAlive && this.buf.length === 0 };
  }

  private step(): boolean {
    switch (this.phase) {
      case 'head':
        return this.parseHead();
      case 'length': {
        const take = Math.min(this.remaining, this.buf.length);
        if (take === 0) return false;
        this.body += this.buf.substring(0, take);
        this.buf = this.buf.substring(take);
        this.remaining -= take;
        if (this.remaining === 0) this.finish();
        return true;
      }
      case 'chunk-size': {
        const nl = this.buf.indexOf('\r\n');
        if (nl < 0) {
          if (this.buf.length > 1024) throw halError('EHTTP', 'chunk size line too long');
          return false;
        }
        let line = this.buf.substring(0, nl);
        this.buf = this.buf.substring(nl + 2);
        const semi = line.indexOf(';');
        if (semi >= 0) line = line.substring(0, semi);
        line = line.trim();
        if (!HEX.test(line) || line.length > 7) throw halError('EHTTP', `bad chunk size ${JSON.stringify(line.substring(0, 20))}`);
        this.remaining = parseInt(line, 16);
        this.phase = this.remaining === 0 ? 'trailer' : 'chunk-data';
        return true;
      }
      case 'chunk-data': {
        const take = Math.min(this.remaining, this.buf.length);
        if (take === 0) return false;
        this.body += this.buf.substring(0, take);
        this.buf = this.buf.substring(take);
        this.remaining -= take;
        if (this.remaining === 0) this.phase = 'chunk-crlf';
        return true;
      }
      case 'chunk-crlf':
        if (this.buf.length < 2) return false;
        if (this.buf.substring(0, 2) !== '\r\n') throw halError('EHTTP', 'chunk data not followed by CRLF');
        this.buf = this.buf.substring(2);
        this.phase = 'chunk-size';
        return true;
      case 'trailer': {
        const nl = this.buf.indexOf('\r\n');
        if (nl < 0) return false;
        const line = this.buf.substring(0, nl);
        this.buf = this.buf.substring(nl + 2);
        if (line === '') this.finish();
        return true;
      }
      case 'until-close':
        this.body += this.buf;
        this.buf = '';
        return false;
      default:
        return false;
    }
  }

  private parseHead(): boolean {
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) {
      if (this.buf.length > this.limits.maxHeaderBytes) throw halError('EHTTP', `response headers exceed ${this.limits.maxHeaderBytes} bytes`);
      return false;
    }
    const lines = this.buf.substring(0, end).split('\r\n');
    this.buf = this.buf.substring(end + 4);
    const statusLine = lines[0] as string;
    const parts = statusLine.split(' ');
    const version = parts[0] as string;
    const code = parts[1] === undefined ? '' : (parts[1] as string);
    if ((version !== 'HTTP/1.1' && version !== 'HTTP/1.0') || !DIGITS.test(code) || code.length !== 3) {
      throw halError('EHTTP', `bad status line ${JSON.stringify(statusLine.substring(0, 40))}`);
    }
    const status = parseInt(code, 10);
    const headers: Record<string, string> = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string;
      const colon = line.indexOf(':');
      if (colon <= 0) throw halError('EHTTP', `bad header line ${JSON.stringify(line.substring(0, 40))}`);
      const name = line.substring(0, colon).trim().toLowerCase();
      if (name === '__proto__' || name === 'constructor' || name === 'prototype') continue;
      const value = line.substring(colon + 1).trim();
      headers[name] = Object.prototype.hasOwnProperty.call(headers, name) ? `${headers[name]}, ${value}` : value;
    }
    if (status >= 100 && status < 200) return true; // interim response: the real one follows
    this.status = status;
    this.headers = headers;
    const conn = (headers.connection || '').toLowerCase();
    this.keepAlive = version === 'HTTP/1.1' ? conn.indexOf('close') < 0 : conn.indexOf('keep-alive') >= 0;
    const te = (headers['transfer-encoding'] || '').toLowerCase();
    const cl = headers['content-length'];
    if (this.noBody || status === 204 || status === 304) {
      this.finish();
    } else if (te !== '') {
      if (te.indexOf('chunked') < 0) throw halError('EHTTP', `unsupported transfer-encoding ${JSON.stringify(te)}`);
      this.phase = 'chunk-size';
    } else if (cl !== undefined) {
      if (!DIGITS.test(cl) || cl.length > 9) throw halError('EHTTP', `bad content-length ${JSON.stringify(cl.substring(0, 20))}`);
      this.remaining = parseInt(cl, 10);
      if (this.remaining > this.limits.maxBodyBytes) throw halError('EHTTP', `response body of ${this.remaining} bytes exceeds ${this.limits.maxBodyBytes}`);
      if (this.remaining === 0) this.finish();
      else this.phase = 'length';
    } else {
      this.keepAlive = false;
      this.phase = 'until-close';
    }
    return true;
  }

  private finish(): void {
    this.phase = 'done';
  }
}
