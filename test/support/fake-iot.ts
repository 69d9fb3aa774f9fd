/**
 * A tiny AWS-IoT-shaped HTTPS server for client tests (not the local cloud): it records every
 * request as it came on the wire (raw path, headers, body, which connection), checks the SigV4
 * signature by recomputing it with the signer's low-level functions, keeps shadows in memory
 * with AWS's error wire format, and can be told to answer the next requests with canned
 * responses (garbage bodies, errors with `x-amzn-ErrorType`, chunked bodies).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nodeCrypto } from '../../hal/sim/crypto.js';
import {
  canonicalRequest,
  computeSignature,
  credentialScope,
  deriveSigningKey,
  parseAuthorization,
  payloadHash,
  sha256Hex,
  splitPathAndQuery,
  stringToSign,
} from '../../src/sigv4.js';

/** The AWS documentation's example keys: the only credentials tests use. */
export const EXAMPLE_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } as const;

/** One request as the server saw it. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query exactly as on the request line. */
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly rawHeaders: readonly string[];
  readonly body: string;
  /** 1-based number of the TLS connection the request came on. */
  readonly connection: number;
  /** `valid`, `absent` (no Authorization), or what was wrong. */
  readonly signature: string;
  readonly amzDate?: string;
}

/** A canned answer. */
export interface CannedResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Send the body with `Transfer-Encoding: chunked` in pieces of this many bytes. */
  readonly chunkBytes?: number;
}

/** Options of {@link startFakeIot}. */
export interface FakeIotOptions {
  readonly cert: string;
  readonly key: string;
  readonly region?: string;
  /** Ask for a client certificate issued by this CA (X.509 auth). */
  readonly clientCa?: string;
}

/** A running fake. */
export interface FakeIot {
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** TLS connections accepted so far. */
  connections(): number;
  /** Answer the next request with `r` instead of the in-memory shadows (queue). */
  next(r: CannedResponse): void;
  /** Shadow store: `thing` or `thing/name` → document. */
  readonly shadows: Record<string, { desired?: Record<string, unknown>; reported?: Record<string, unknown>; version: number }>;
  close(): Promise<void>;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'InvalidRequestException',
  403: 'ForbiddenException',
  404: 'ResourceNotFoundException',
  405: 'MethodNotAllowedException',
  409: 'ConflictException',
};

function awsError(status: number, message: string): CannedResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-ErrorType': `${ERROR_TYPES[status] ?? 'InternalFailureException'}:`, 'x-amzn-RequestId': randomUUID() },
    body: JSON.stringify({ code: status, message }),
  };
}

function json(body: unknown): CannedResponse {
  return { status: 200, headers: { 'content-type': 'application/json', 'x-amzn-RequestId': randomUUID() }, body: JSON.stringify(body) };
}

function merge(into: Record<string, unknown> | undefined, patch: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = { ...(into ?? {}) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (typeof v === 'object' && !Array.isArray(v) && typeof out[k] === 'object' && out[k] !== null && !Array.isArray(out[k])) {
      out[k] = merge(out[k] as Record<string, unknown>, v as Record<string, unknown>);
    } else out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

function delta(desired: Record<string, unknown> | undefined, reported: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!desired) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(desired)) if (JSON.stringify(v) !== JSON.stringify(reported?.[k])) out[k] = v;
  return Object.keys(out).length ? out : undefined;
}

/** Start the fake on 127.0.0.1, a random port. */
export async function startFakeIot(o: FakeIotOptions): Promise<FakeIot> {
  const region = o.region ?? 'us-east-1';
  const crypto = nodeCrypto();
  const requests: RecordedRequest[] = [];
  const queue: CannedResponse[] = [];
  const shadows: FakeIot['shadows'] = {};
  let connections = 0;
  const connectionIds = new WeakMap<object, number>();
  const now = (): number => Math.floor(Date.now() / 1000);

  const checkSignature = (req: IncomingMessage, url: string, body: string): { result: string; amzDate?: string } => {
    const authz = req.headers['authorization'];
    const amzDate = req.headers['x-amz-date'] as string | undefined;
    if (authz === undefined) return { result: 'absent', amzDate };
    try {
      const a = parseAuthorization(authz);
      if (a.accessKeyId !== EXAMPLE_CREDENTIALS.accessKeyId) return { result: `unknown key id ${a.accessKeyId}`, amzDate };
      if (!amzDate || amzDate.substring(0, 8) !== a.day) return { result: 'x-amz-date missing or not in the scope day', amzDate };
      const list: [string, string][] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) list.push([req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string]);
      const parts = splitPathAndQuery(url);
      const creq = canonicalRequest(
        { method: req.method as string, rawPath: parts.path, rawQuery: parts.query, headers: list, signedHeaders: a.signedHeaders, payloadHash: payloadHash(crypto, body) },
        crypto.utf8,
      );
      const scope = credentialScope(a.day, a.region, a.service);
      const sts = stringToSign(amzDate, scope, sha256Hex(crypto, creq));
      const key = deriveSigningKey(crypto, EXAMPLE_CREDENTIALS.secretAccessKey, a.day, a.region, a.service);
      const expected = computeSignature(crypto, key, sts);
      if (a.region !== region) return { result: `region ${a.region}`, amzDate };
      if (a.signedHeaders.indexOf('host') < 0) return { result: 'host not signed', amzDate };
      return { result: expected === a.signature ? 'valid' : 'signature mismatch', amzDate };
    } catch (e) {
      return { result: `bad authorization: ${(e as Error).message}`, amzDate };
    }
  };

  const route = (r: RecordedRequest): CannedResponse => {
    if (r.signature !== 'valid' && r.signature !== 'absent') return awsError(403, 'The request signature we calculated does not match the signature you provided.');
    const [path, query = ''] = r.url.split('?');
    const params = new URLSearchParams(query);
    const segs = (path as string).split('/');
    if (segs[1] === 'things' && segs[3] === 'shadow' && segs.length === 4) {
      const thing = decodeURIComponent(segs[2] as string);
      const name = params.get('name');
      const key = name === null ? thing : `${thing}/${name}`;
      const s = shadows[key];
      if (r.method === 'GET') {
        if (!s) return awsError(404, `No shadow exists with name: '${name ?? thing}'`);
        const state: Record<string, unknown> = {};
        if (s.desired) state['desired'] = s.desired;
        if (s.reported) state['reported'] = s.reported;
        const d = delta(s.desired, s.reported);
        if (d) state['delta'] = d;
        return json({ state, metadata: {}, version: s.version, timestamp: now() });
      }
      if (r.method === 'POST') {
        let doc: { state?: { desired?: Record<string, unknown>; reported?: Record<string, unknown> }; version?: number };
        try {
          doc = JSON.parse(r.body);
        } catch {
          return awsError(400, 'Invalid JSON');
        }
        if (!doc.state || typeof doc.state !== 'object') return awsError(400, 'Missing required node: state');
        if (doc.version !== undefined && s && doc.version !== s.version) return awsError(409, 'Version conflict');
        const next = { desired: s?.desired, reported: s?.reported, version: (s?.version ?? 0) + 1 };
        if (doc.state.desired) next.desired = merge(next.desired, doc.state.desired);
        if (doc.state.reported) next.reported = merge(next.reported, doc.state.reported);
        shadows[key] = next;
        return json({ state: doc.state, metadata: {}, version: next.version, timestamp: now() });
      }
      if (r.method === 'DELETE') {
        if (!s) return awsError(404, `No shadow exists with name: '${name ?? thing}'`);
        delete shadows[key];
        return json({ version: s.version, timestamp: now() });
      }
      return awsError(405, 'Method Not Allowed');
    }
    if (r.method === 'GET' && segs[1] === 'api' && segs[4] === 'ListNamedShadowsForThing' && segs.length === 6) {
      const thing = decodeURIComponent(segs[5] as string);
      const names = Object.keys(shadows)
        .filter((k) => k.startsWith(`${thing}/`))
        .map((k) => k.substring(thing.length + 1))
        .sort();
      const size = Number(params.get('pageSize') ?? '25');
      const start = Number(params.get('nextToken') ?? '0');
      const page = names.slice(start, start + size);
      const body: Record<string, unknown> = { results: page, timestamp: now() };
      if (start + size < names.length) body['nextToken'] = String(start + size);
      return json(body);
    }
    if (r.method === 'POST' && segs[1] === 'topics' && segs.length === 3) {
      const id = randomUUID();
      return { status: 200, headers: { 'content-type': 'application/json', 'x-amzn-RequestId': id }, body: JSON.stringify({ message: 'OK', traceId: id }) };
    }
    return awsError(404, 'Not Found');
  };

  const send = (res: ServerResponse, c: CannedResponse): void => {
    const headers: Record<string, string> = { date: new Date().toUTCString(), ...(c.headers ?? {}) };
    const body = Buffer.from(c.body ?? '', 'utf8');
    if (c.chunkBytes) {
      res.writeHead(c.status, { ...headers, 'transfer-encoding': 'chunked' });
      for (let i = 0; i < body.length; i += c.chunkBytes) res.write(body.subarray(i, i + c.chunkBytes));
      res.end();
      return;
    }
    res.writeHead(c.status, { ...headers, 'content-length': String(body.length) });
    res.end(body);
  };

  const server = createServer(
    { cert: o.cert, key: o.key, ...(o.clientCa ? { ca: o.clientCa, requestCert: true, rejectUnauthorized: true } : {}), keepAlive: true },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const url = req.url ?? '';
        const sig = checkSignature(req, url, body);
        const rec: RecordedRequest = {
          method: req.method ?? '',
          url,
          headers: req.headers,
          rawHeaders: req.rawHeaders,
          body,
          connection: connectionIds.get(req.socket) ?? 0,
          signature: sig.result,
          ...(sig.amzDate !== undefined ? { amzDate: sig.amzDate } : {}),
        };
        requests.push(rec);
        send(res, queue.shift() ?? route(rec));
      });
    },
  );
  server.keepAliveTimeout = 5000;
  server.on('secureConnection', (socket) => {
    connections += 1;
    connectionIds.set(socket, connections);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    requests,
    shadows,
    connections: () => connections,
    next: (r) => queue.push(r),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
