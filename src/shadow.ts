/**
 * The AWS IoT shadow REST client the device (and the CLI) uses: get, update, delete, list named
 * shadows, publish. Each request is signed with SigV4 at the time of `clock.now()` (per request:
 * the seed computed the date once), or sent unsigned over a client-certificate TLS connection.
 * Names are validated against AWS's rules and percent-encoded by hand (Espruino's
 * `encodeURIComponent` garbles non-ASCII). Engine-neutral and Espruino-safe.
 */
import type { Clock, Crypto, Http, HttpMethod, HttpResponse } from '../hal/hal.js';
import { AwsError } from './aws-error.js';
import type { Endpoint } from './endpoint.js';
import { hostHeader } from './endpoint.js';
import { DormouseError, toDormouseError } from './errors.js';
import { parseHttpDate } from './http-date.js';
import type { JsonObject } from './json.js';
import { describeValue, isPlainObject } from './json.js';
import type { NamedShadowList, ShadowDocument, UpdateRequest } from './shadow-types.js';
import type { SigV4Signer } from './sigv4.js';
import { percentEncodeBytes } from './sigv4-encode.js';
import { utf8Encode } from './utf8.js';

/** How requests authenticate: SigV4 signatures (IAM keys), or the TLS client certificate in `endpoint.tls`. */
export type ShadowAuth = { readonly kind: 'sigv4'; readonly signer: SigV4Signer } | { readonly kind: 'x509' };

/** What a {@link ShadowClient} needs. */
export interface ShadowClientOptions {
  readonly http: Http;
  readonly endpoint: Endpoint;
  readonly auth: ShadowAuth;
  /** Each request is dated `clock.now()` when it is made. */
  readonly clock: Pick<Clock, 'now'>;
  /** Whole-request timeout (default {@link SHADOW_DEFAULTS}). */
  readonly timeoutMs?: number;
  /**
   * The engine's UTF-8 view of a string (`hal.crypto.utf8`), to percent-encode non-ASCII topics
   * right on 8-bit-string engines. Without it strings are taken as UTF-16 (Node).
   */
  readonly crypto?: Pick<Crypto, 'utf8'>;
}

/** Defaults of {@link ShadowClientOptions}. */
export const SHADOW_DEFAULTS = { timeoutMs: 10000 };

/** A parsed 2xx answer with what the timeline wants to know about the exchange. */
export interface ShadowResponse<T> {
  readonly body: T;
  readonly status: number;
  /** The server's `Date` header (epoch ms), when sent and valid. */
  readonly date?: number;
  readonly bytesOut: number;
  readonly bytesIn: number;
}

const THING_RE = /^[a-zA-Z0-9:_-]+$/;
const SHADOW_RE = /^[$a-zA-Z0-9:_-]+$/;

/** Throw `EINVALID` unless `name` is a valid thing name (1..128 of `[a-zA-Z0-9:_-]`). */
export function checkThingName(name: string): void {
  if (typeof name !== 'string' || name.length > 128 || !THING_RE.test(name)) {
    throw new DormouseError('EINVALID', 'thing name: expected 1..128 characters of [a-zA-Z0-9:_-], got ' + describeValue(name));
  }
}

/** Throw `EINVALID` unless `name` is a valid shadow name (1..64 of `[$a-zA-Z0-9:_-]`). */
export function checkShadowName(name: string): void {
  if (typeof name !== 'string' || name.length > 64 || !SHADOW_RE.test(name)) {
    throw new DormouseError('EINVALID', 'shadow name: expected 1..64 characters of [$a-zA-Z0-9:_-], got ' + describeValue(name));
  }
}

/**
 * Percent-encode `text` as ONE URL segment: everything but `A-Z a-z 0-9 - . _ ~` as `%XX` of its
 * UTF-8 bytes (so `/` and `$` are encoded too: `$aws/things` → `%24aws%2Fthings`).
 */
export function encodeSegment(text: string, utf8?: (text: string) => Uint8Array): string {
  return percentEncodeBytes(utf8 ? utf8(text) : utf8Encode(text), false);
}

/** A short printable excerpt of a body for error messages (no control or non-ASCII characters). */
function excerpt(body: string): string {
  if (body === '') return 'an empty body';
  const t = body.length > 60 ? (body.substring(0, 60) + '...') : body;
  return JSON.stringify(t.replace(/[^ -~]/g, '?'));
}

function isObjectOrAbsent(v: unknown): boolean {
  return v === undefined || isPlainObject(v);
}

function isNumberOrAbsent(v: unknown): boolean {
  return v === undefined || (typeof v === 'number' && isFinite(v));
}

/** Shape check of a GET answer; returns what is wrong, or '' when it is a shadow document. */
function shadowDocumentProblem(v: JsonObject): string {
  const state = v['state'];
  if (!isObjectOrAbsent(state)) return '"state" to be an object';
  if (state) {
    const s = state as JsonObject;
    if (!isObjectOrAbsent(s['desired']) || !isObjectOrAbsent(s['reported']) || !isObjectOrAbsent(s['delta'])) {
      return '"state.desired/reported/delta" to be objects';
    }
  }
  if (!isObjectOrAbsent(v['metadata'])) return '"metadata" to be an object';
  if (!isNumberOrAbsent(v['version']) || !isNumberOrAbsent(v['timestamp'])) return '"version" and "timestamp" to be numbers';
  return '';
}

function namedListProblem(v: JsonObject): string {
  const r = v['results'];
  if (!(r instanceof Array)) return '"results" to be an array of names';
  for (let i = 0; i < r.length; i++) if (typeof r[i] !== 'string') return '"results" to be an array of names';
  const t = v['nextToken'];
  if (t !== undefined && t !== null && typeof t !== 'string') return '"nextToken" to be a string';
  if (!isNumberOrAbsent(v['timestamp'])) return '"timestamp" to be a number';
  return '';
}

/** A client of the AWS IoT shadow and publish REST API. */
export class ShadowClient {
  private readonly o: ShadowClientOptions;

  constructor(o: ShadowClientOptions) {
    this.o = o;
  }

  /** GetThingShadow: the classic shadow, or the named one. `AwsError` on non-2xx (404 when none). */
  get(thing: string, shadowName?: string): Promise<ShadowResponse<ShadowDocument>> {
    return this.call('GET', () => this.shadowPath(thing, shadowName), undefined, 'shadow document', shadowDocumentProblem) as Promise<
      ShadowResponse<ShadowDocument>
    >;
  }

  /** UpdateThingShadow: resolves with the accepted document (409 `AwsError` on a version conflict). */
  update(thing: string, doc: UpdateRequest, shadowName?: string): Promise<ShadowResponse<JsonObject>> {
    return this.call('POST', () => this.shadowPath(thing, shadowName), JSON.stringify(doc), 'JSON object');
  }

  /** DeleteThingShadow: resolves with `{version, timestamp}`. */
  delete(thing: string, shadowName?: string): Promise<ShadowResponse<JsonObject>> {
    return this.call('DELETE', () => this.shadowPath(thing, shadowName), undefined, 'JSON object');
  }

  /** ListNamedShadowsForThing: one page of names (the classic shadow is not listed). */
  listNamed(thing: string, o?: { pageSize?: number; nextToken?: string }): Promise<ShadowResponse<NamedShadowList>> {
    const path = (): string => {
      checkThingName(thing);
      const q: string[] = [];
      const n = o ? o.pageSize : undefined;
      if (n !== undefined) {
        if (typeof n !== 'number' || n !== Math.floor(n) || n < 1 || n > 100) {
          throw new DormouseError('EINVALID', 'pageSize: expected an integer 1..100, got ' + describeValue(n));
        }
        q.push('pageSize=' + n);
      }
      if (o && o.nextToken !== undefined) q.push('nextToken=' + this.enc(o.nextToken));
      return '/api/things/shadow/ListNamedShadowsForThing/' + this.enc(thing) + (q.length ? '?' + q.join('&') : '');
    };
    return this.call('GET', path, undefined, 'list of named shadows', namedListProblem).then((r) => {
      const b = r.body;
      const results = b['results'] as string[];
      const timestamp = (b['timestamp'] as number) || 0;
      const list: NamedShadowList =
        typeof b['nextToken'] === 'string' && b['nextToken'] !== '' ? { results, nextToken: b['nextToken'] as string, timestamp } : { results, timestamp };
      return { body: list, status: r.status, date: r.date, bytesOut: r.bytesOut, bytesIn: r.bytesIn };
    });
  }

  /** Publish `payload` to an MQTT topic (encoded as one path segment) with QoS 0 (default) or 1. */
  publish(topic: string, payload: string, qos?: 0 | 1): Promise<ShadowResponse<JsonObject>> {
    const path = (): string => {
      const q = qos === undefined ? 0 : qos;
      const ok =
        typeof topic === 'string' &&
        topic !== '' &&
        !/[#+]/.test(topic) &&
        topic.indexOf(String.fromCharCode(0)) < 0 &&
        this.bytes(topic).length <= 256 &&
        topic.split('/').length <= 8;
      if (!ok) throw new DormouseError('EINVALID', 'topic: expected 1..256 bytes, at most 7 slashes, no wildcards, got ' + describeValue(topic));
      if (q !== 0 && q !== 1) throw new DormouseError('EINVALID', 'qos: expected 0 or 1, got ' + describeValue(qos));
      return '/topics/' + this.enc(topic) + '?qos=' + q;
    };
    return this.call('POST', path, typeof payload === 'string' ? payload : '', 'JSON object');
  }

  private bytes(text: string): Uint8Array {
    return this.o.crypto ? this.o.crypto.utf8(text) : utf8Encode(text);
  }

  private enc(text: string): string {
    return encodeSegment(text, this.o.crypto ? this.o.crypto.utf8 : undefined);
  }

  /** `/things/{thing}/shadow[?name=]`, validated and encoded; throws `EINVALID`. */
  private shadowPath(thing: string, shadowName?: string): string {
    checkThingName(thing);
    if (shadowName !== undefined) checkShadowName(shadowName);
    return '/things/' + this.enc(thing) + '/shadow' + (shadowName !== undefined ? '?name=' + this.enc(shadowName) : '');
  }

  /**
   * Send one request (signed now, for SigV4) and parse a 2xx JSON object answer. `path` builds
   * (and validates) the wire path; `expected` names what the body should be; `problem` says what
   * is wrong with its shape ('' if nothing). Every failure is a rejection, never a throw.
   */
  private call(
    method: HttpMethod,
    path: () => string,
    body: string | undefined,
    expected: string,
    problem?: (v: JsonObject) => string,
  ): Promise<ShadowResponse<JsonObject>> {
    const o = this.o;
    const ep = o.endpoint;
    let what: string = method;
    return Promise.resolve()
      .then(() => {
        const p = path();
        what = method + ' ' + p.split('?')[0];
        const headers: Record<string, string> = {};
        const auth = o.auth;
        if (auth.kind === 'sigv4') {
          const h = auth.signer.sign({ method, host: hostHeader(ep), path: p, body }, { date: o.clock.now() }).headers;
          // The HAL adds Host itself (the same host[:port] value that was signed).
          for (const k of Object.keys(h)) if (k.toLowerCase() !== 'host') headers[k] = h[k] as string;
        }
        return o.http.request({
          method,
          scheme: ep.scheme,
          host: ep.host,
          port: ep.port,
          path: p,
          headers,
          body,
          tls: ep.tls,
          timeoutMs: o.timeoutMs === undefined ? SHADOW_DEFAULTS.timeoutMs : o.timeoutMs,
        });
      })
      .then((res: HttpResponse) => {
        if (res.status < 200 || res.status > 299) throw new AwsError(res, what);
        const text = typeof res.body === 'string' ? res.body : '';
        const t = text.trim();
        let parsed: unknown;
        let why = '';
        // Espruino's JSON.parse accepts junk around an object: require the braces ourselves.
        if (t.charAt(0) === '{' && t.charAt(t.length - 1) === '}') {
          try {
            parsed = JSON.parse(t);
          } catch (_e) {
            parsed = undefined;
          }
        }
        if (!isPlainObject(parsed)) why = excerpt(text);
        else if (problem) {
          const p = problem(parsed);
          if (p) why = excerpt(text) + ' (expected ' + p + ')';
        }
        if (why) throw new DormouseError('EBADDOC', what + ': expected a ' + expected + ' (JSON object), got ' + why);
        const date = parseHttpDate(res.headers['date']);
        const out: ShadowResponse<JsonObject> = { body: parsed as JsonObject, status: res.status, bytesOut: res.bytesOut, bytesIn: res.bytesIn };
        return date === undefined ? out : { body: out.body, status: out.status, date, bytesOut: out.bytesOut, bytesIn: out.bytesIn };
      })
      .then(undefined, (e: unknown) => {
        // A HAL failure (ECONN, ETLS, ETIMEOUT, …) keeps its code and gains the operation.
        if (e instanceof DormouseError) throw e;
        const f = toDormouseError(e);
        throw new DormouseError(f.code, what + ': ' + f.message);
      });
  }
}
