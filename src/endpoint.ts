/**
 * Where the AWS IoT data plane (or the local cloud) is: scheme, host, port and TLS settings.
 * Engine-neutral and Espruino-safe.
 */
import type { TlsOptions } from '../hal/hal.js';
import { DormouseError } from './errors.js';
import { describeValue } from './json.js';

/** A data-plane endpoint. `tls` carries the CA (and the client cert/key for X.509 auth). */
export interface Endpoint {
  readonly scheme: 'https' | 'http';
  readonly host: string;
  readonly port: number;
  readonly tls?: TlsOptions;
}

/** What {@link parseEndpoint} may be told beyond the text. */
export interface ParseEndpointOptions {
  /** `x509` makes 8443 the default HTTPS port (AWS IoT's client-certificate port); else 443. */
  readonly auth?: 'sigv4' | 'x509';
  readonly tls?: TlsOptions;
}

// No `?` or groups: Espruino 2v29's RegExp gets them wrong.
const HOST_RE = /^[a-zA-Z0-9.-]+$/;
const IPV6_RE = /^[0-9a-fA-F:.]+$/;

/** True when `text` starts and ends with a letter or digit (not `.` or `-`). */
export function alnumEdges(text: string): boolean {
  const edge = /[a-zA-Z0-9]/;
  return edge.test(text.charAt(0)) && edge.test(text.charAt(text.length - 1));
}

/**
 * Split `host[:port]` (IPv6 in brackets) into host and port; `undefined` when it is not of that
 * form. `port` is `undefined` when the text has none.
 */
export function splitHostPort(text: string): { host: string; port?: number } | undefined {
  let host = text;
  let portText: string | undefined;
  if (text.charAt(0) === '[') {
    const close = text.indexOf(']');
    if (close < 0) return undefined;
    host = text.substring(1, close);
    const after = text.substring(close + 1);
    if (after !== '') {
      if (after.charAt(0) !== ':') return undefined;
      portText = after.substring(1);
    }
    if (!IPV6_RE.test(host)) return undefined;
  } else {
    const colon = text.indexOf(':');
    if (colon >= 0) {
      host = text.substring(0, colon);
      portText = text.substring(colon + 1);
    }
    if (!HOST_RE.test(host) || host.length > 253 || !alnumEdges(host)) return undefined;
  }
  if (portText === undefined) return { host };
  if (!/^\d+$/.test(portText) || portText.length > 5 || +portText < 1 || +portText > 65535) return undefined;
  return { host, port: +portText };
}

/**
 * Parse `host[:port]`, `https://host[:port]` or `http://host[:port]` (an optional trailing `/`).
 * Default ports: https 443 (8443 for X.509 auth), http 80. Throws `EINVALID` saying what was
 * expected and what came.
 */
export function parseEndpoint(text: string, o?: ParseEndpointOptions): Endpoint {
  const bad = (): DormouseError =>
    new DormouseError('EINVALID', 'endpoint: expected "host[:port]" or "https://host[:port]", got ' + describeValue(text));
  if (typeof text !== 'string') throw bad();
  let rest = text.trim();
  let scheme: 'https' | 'http' = 'https';
  const lower = rest.toLowerCase();
  if (lower.indexOf('https://') === 0) rest = rest.substring(8);
  else if (lower.indexOf('http://') === 0) {
    scheme = 'http';
    rest = rest.substring(7);
  }
  if (rest.endsWith('/')) rest = rest.substring(0, rest.length - 1);
  const hp = splitHostPort(rest);
  if (!hp) throw bad();
  const port = hp.port !== undefined ? hp.port : scheme === 'http' ? 80 : o && o.auth === 'x509' ? 8443 : 443;
  return o && o.tls ? { scheme, host: hp.host, port, tls: o.tls } : { scheme, host: hp.host, port };
}

/**
 * The `Host` header value for `ep`, as signed and sent: `host`, plus `:port` when the port is
 * not the scheme's default (443 for https, 80 for http); IPv6 in brackets.
 */
export function hostHeader(ep: Pick<Endpoint, 'scheme' | 'host' | 'port'>): string {
  const host = ep.host.indexOf(':') >= 0 ? ('[' + ep.host + ']') : ep.host;
  const dflt = ep.scheme === 'http' ? 80 : 443;
  return ep.port === dflt ? host : (host + ':' + ep.port);
}

/** `host:port` for messages (no scheme, never credentials). */
export function describeEndpoint(ep: Pick<Endpoint, 'host' | 'port'>): string {
  return (ep.host.indexOf(':') >= 0 ? '[' + ep.host + ']' : ep.host) + ':' + ep.port;
}
