/**
 * The request pipeline of the local cloud, in AWS's order: body (size cap), authentication
 * (SigV4 signature, or the client certificate on the mutual-TLS listener: 403), route (404/405),
 * names (400), authorization (the principal's policy: 403 `Forbidden`), throttle (429), then the
 * operation. Every response carries `Date` (from the server's clock) and `x-amzn-RequestId`;
 * errors carry `x-amzn-ErrorType`.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { HeaderEntry } from '../src/sigv4.js';
import { parseUpdateRequest } from '../src/shadow-doc.js';
import type { ShadowLimits } from '../src/shadow-doc.js';
import type { FaultDirective } from '../hal/sim/faults/directive.js';
import { ERROR_MESSAGES, authError, errorBody, errorTypeHeader, serviceError } from './aws-errors.js';
import type { CloudError } from './aws-errors.js';
import { readBody } from './body.js';
import type { CloudFaults } from './faults.js';
import type { KeyStore } from './keystore.js';
import { THING_NAME_VARIABLE, evaluatePolicy, thingArn, topicArn } from './policy.js';
import type { AccessRequest, ArnScope, Policy, PolicyVariables } from './policy.js';
import { ROUTE_METHODS, nameProblem, route, topicProblem } from './router.js';
import type { ListRoute, PublishRoute, Route, ShadowRoute } from './router.js';
import type { ShadowService } from './shadows.js';
import type { CloudStore } from './store.js';
import type { SigV4Verifier } from './sigv4-verify.js';
import type { Throttle } from './throttle.js';

/** How requests on a listener prove who they are. */
export type AuthMode =
  /** SigV4 signatures (IAM-style keys): the HTTPS port. */
  | 'sigv4'
  /** The TLS client certificate, verified by the mutual-TLS listener; no signature needed. */
  | 'x509';

/** What the pipeline works with. */
export interface HandlerContext {
  readonly verifier: SigV4Verifier;
  /** Default `sigv4`. */
  readonly authMode?: AuthMode;
  /** Registered device certificates (for `x509`). */
  readonly keys?: KeyStore;
  /** Region and account of resource ARNs in policies. */
  readonly arnScope: ArnScope;
  readonly shadows: ShadowService;
  readonly store: CloudStore;
  readonly throttle: Throttle;
  readonly limits: ShadowLimits;
  readonly maxBodyBytes: number;
  readonly listPageSize: number;
  readonly now: () => number;
  readonly log: (line: string) => void;
  readonly logRequests: boolean;
  /** Fault injection (`cloud/faults.ts`), when enabled. */
  readonly faults?: CloudFaults;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Node hands header values and the target over as latin1 text; SigV4 needs the UTF-8 text. */
function wireText(s: string): string {
  return /[^\x00-\x7f]/.test(s) ? Buffer.from(s, 'latin1').toString('utf8') : s;
}

function headerList(raw: readonly string[]): HeaderEntry[] {
  const out: HeaderEntry[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] as string, wireText(raw[i + 1] as string)]);
  return out;
}

/** The thing a route is about (throttling is per thing). */
function thingOf(r: Route): string | undefined {
  return r.kind === 'shadow' || r.kind === 'list' ? r.thing : undefined;
}

/** Encode/decode the opaque `nextToken` of ListNamedShadowsForThing. */
export const listToken = {
  encode: (name: string): string => Buffer.from(`v1:${name}`, 'utf8').toString('base64url'),
  decode: (token: string): string | undefined => {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
    const text = Buffer.from(token, 'base64url').toString('utf8');
    return text.startsWith('v1:') ? text.slice(3) : undefined;
  },
};

interface Outcome {
  readonly status: number;
  readonly body: string;
  readonly error?: CloudError;
  readonly keyId?: string;
  /** Why a policy refused the request: for the server's log only, never the client. */
  readonly denied?: string;
}

/** Who sent a request, and what it may do. */
interface Principal {
  /** Shown in log lines and kept in the history: an access key id, or `cert:<id prefix>`. */
  readonly id: string;
  readonly policy: Policy;
  readonly vars: PolicyVariables;
}

/** AWS's answer when a policy does not allow the action (`ForbiddenException: Forbidden`). */
export const FORBIDDEN_MESSAGE = 'Forbidden';

/** Control characters of client-chosen text escaped for a log line (no terminal escapes, no forged lines). */
export function logSafe(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The action and resource a route needs, for the policy check. */
export function accessFor(r: ShadowRoute | ListRoute | PublishRoute, method: string, scope: ArnScope): AccessRequest {
  if (r.kind === 'publish') return { action: 'iot:Publish', resource: topicArn(scope, r.topic) };
  if (r.kind === 'list') return { action: 'iot:ListNamedShadowsForThing', resource: thingArn(scope, r.thing) };
  const action = method === 'GET' ? 'iot:GetThingShadow' : method === 'DELETE' ? 'iot:DeleteThingShadow' : 'iot:UpdateThingShadow';
  return { action, resource: thingArn(scope, r.thing, r.shadow) };
}

/** The principal of a request on the mutual-TLS listener: its verified, registered certificate. */
function certPrincipal(ctx: HandlerContext, req: IncomingMessage): Principal | undefined {
  const socket = req.socket as TLSSocket;
  // A socket the listener closed (unregistered certificate) may still deliver a buffered request.
  if (socket.destroyed || typeof socket.getPeerCertificate !== 'function' || socket.authorized !== true || ctx.keys === undefined) return undefined;
  const peer = socket.getPeerCertificate() as { raw?: Buffer } | null;
  const raw = peer?.raw;
  if (!raw || raw.length === 0) return undefined;
  const id = createHash('sha256').update(raw).digest('hex');
  const cert = ctx.keys.findCert(id);
  if (cert === undefined) return undefined;
  return { id: `cert:${id.substring(0, 16)}`, policy: cert.policy, vars: { [THING_NAME_VARIABLE]: cert.thing } };
}

function ok(body: unknown): Outcome {
  return { status: 200, body: JSON.stringify(body) };
}

function fail(e: CloudError): Outcome {
  return { status: e.status, body: '', error: e };
}

/** Build the request listener of the cloud's HTTPS (and optional HTTP) server. */
export function createHandler(ctx: HandlerContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    // A connection the listener already closed (e.g. an unregistered client certificate) may
    // still hand over a request it had buffered: it gets no answer and no work.
    if (req.socket.destroyed) {
      res.destroy();
      return;
    }
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    const target = wireText(req.url ?? '/');
    const r = route(target);
    const thing = thingOf(r);
    if (thing !== undefined) {
      ctx.throttle.start(thing);
      res.once('close', () => ctx.throttle.finish(thing));
    }
    const fault = ctx.faults?.decide(req, thing);
    const go = (): void => {
      handle(ctx, req, target, r, requestId, fault).then(
        (o) => send(ctx, req, res, o, requestId, target, started, fault, thing),
        (e: unknown) => {
          ctx.log(`internal error on ${req.method} ${logSafe(logTarget(target))}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
          send(ctx, req, res, fail(serviceError(500, ERROR_MESSAGES.internal)), requestId, target, started, fault, thing);
        },
      );
    };
    const delay = ctx.faults?.delayMs(fault) ?? 0;
    if (delay > 0) setTimeout(go, delay);
    else go();
  };
}

function logTarget(target: string): string {
  // A presigned query is a bearer credential for its lifetime: never log it.
  return target.indexOf('X-Amz-') >= 0 ? `${target.split('?')[0]}?…` : target;
}

function send(
  ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, o: Outcome, requestId: string, target: string, started: bigint,
  fault?: FaultDirective, thing?: string,
): void {
  if (res.headersSent || res.destroyed) return;
  const body = o.error !== undefined ? errorBody(o.error, requestId) : o.body;
  const faults = ctx.faults;
  const headers: [string, string | number][] = [
    ['Date', new Date(ctx.now() + (faults?.skewMs(fault) ?? 0)).toUTCString()],
    ['Content-Type', 'application/json'],
    ['Content-Length', Buffer.byteLength(body)],
    ['x-amzn-RequestId', requestId],
  ];
  if (o.error !== undefined) headers.push(['x-amzn-ErrorType', errorTypeHeader(o.error.status)]);
  const method = req.method ?? 'GET';
  const exchange = { ...(thing !== undefined ? { thing } : {}), method, status: o.status, body, ...(fault !== undefined ? { fault: fault.kind } : {}) };
  const log = (): void => {
    if (!ctx.logRequests) return;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const who = o.keyId !== undefined ? ` ${o.keyId}` : '';
    const why = o.error !== undefined ? ` ${o.error.message.split('\n')[0]}${o.denied !== undefined ? ` (${o.denied})` : ''}` : '';
    const injected = fault !== undefined ? ` [fault: ${fault.kind}]` : '';
    ctx.log(logSafe(`${req.method} ${logTarget(target)} ${o.status} ${ms.toFixed(1)}ms${who}${why}${injected}`));
  };
  if (faults !== undefined && fault !== undefined && faults.breaks(fault)) {
    faults.sendBroken(req, { status: o.status, headers, body }, fault);
    faults.observe({ ...exchange, delivered: false });
    log();
    return;
  }
  res.statusCode = o.status;
  for (const [k, v] of headers) res.setHeader(k, v);
  const closeAfter = o.status === 413 || !req.complete;
  if (closeAfter) res.setHeader('Connection', 'close');
  res.end(body, () => {
    if (closeAfter) req.socket.destroySoon();
    faults?.observe({ ...exchange, delivered: true });
  });
  log();
}

async function handle(ctx: HandlerContext, req: IncomingMessage, target: string, r: Route, requestId: string, fault?: FaultDirective): Promise<Outcome> {
  const got = await readBody(req, ctx.maxBodyBytes);
  if (!got.ok) return fail(serviceError(413, ERROR_MESSAGES.tooLarge));
  const injected = ctx.faults?.statusError(fault);
  if (injected !== undefined) return fail(injected);
  const method = req.method ?? 'GET';
  let principal: Principal;
  if (ctx.authMode === 'x509') {
    const p = certPrincipal(ctx, req);
    if (p === undefined) return fail(authError(FORBIDDEN_MESSAGE));
    principal = p;
  } else {
    const auth = ctx.verifier.verify({ method, target, headers: headerList(req.rawHeaders), body: got.body }, ctx.now() + (ctx.faults?.skewMs(fault) ?? 0));
    if (!auth.ok) return fail(auth.error);
    principal = { id: auth.key.accessKeyId, policy: auth.key.policy, vars: {} };
  }
  const keyId = principal.id;
  const withKey = (o: Outcome): Outcome => ({ ...o, keyId });

  if (r.kind === 'not-found') return withKey(fail(serviceError(404, ERROR_MESSAGES.notFound)));
  if (r.kind === 'bad-request') return withKey(fail(serviceError(400, r.message)));
  if (ROUTE_METHODS[r.kind].indexOf(method) < 0) return withKey(fail(serviceError(405, ERROR_MESSAGES.methodNotAllowed)));

  if (r.kind === 'shadow' || r.kind === 'list') {
    const problem = nameProblem('thing', r.thing) ?? (r.kind === 'shadow' && r.shadow !== undefined ? nameProblem('shadow', r.shadow) : undefined);
    if (problem !== undefined) return withKey(fail(serviceError(400, problem)));
  } else {
    const problem = topicProblem(r.topic);
    if (problem !== undefined) return withKey(fail(serviceError(400, problem)));
  }
  const access = accessFor(r, method, ctx.arnScope);
  const decision = evaluatePolicy(principal.policy, access, principal.vars);
  if (!decision.allowed) {
    const why = decision.reason === 'explicit-deny' ? `denied by statement ${decision.statement}` : 'no statement allows it';
    return { ...withKey(fail(authError(FORBIDDEN_MESSAGE))), denied: `policy ${principal.policy.name}: ${access.action} on ${access.resource}: ${why}` };
  }
  if (r.kind === 'shadow' || r.kind === 'list') {
    if (!ctx.throttle.admit(r.thing, ctx.now())) return withKey(fail(serviceError(429, ERROR_MESSAGES.throttled)));
  }
  switch (r.kind) {
    case 'shadow':
      return withKey(shadowOp(ctx, method, r, got.body, keyId));
    case 'list':
      return withKey(listOp(ctx, r));
    case 'publish':
      return withKey(publishOp(ctx, r, got.body, keyId, requestId));
  }
}

function notFound(r: ShadowRoute): CloudError {
  return serviceError(404, `No shadow exists with name: '${r.shadow ?? r.thing}'`);
}

function shadowOp(ctx: HandlerContext, method: string, r: ShadowRoute, body: Buffer, keyId: string): Outcome {
  const ref = r.shadow === undefined ? { thing: r.thing } : { thing: r.thing, shadow: r.shadow };
  const now = ctx.now();
  if (method === 'GET') {
    const doc = ctx.shadows.get(ref, now);
    return doc === undefined ? fail(notFound(r)) : ok(doc);
  }
  if (method === 'DELETE') {
    const doc = ctx.shadows.delete(ref, keyId, now);
    return doc === undefined ? fail(notFound(r)) : ok(doc);
  }
  let text: string;
  try {
    text = utf8Strict.decode(body);
  } catch {
    return fail(serviceError(415, ERROR_MESSAGES.unsupportedEncoding));
  }
  const check = parseUpdateRequest(text, { maxNesting: ctx.limits.maxNesting, maxClientTokenBytes: ctx.limits.maxClientTokenBytes, byteLength });
  if (!check.ok) return fail(serviceError(400, check.message, check.clientToken));
  const outcome = ctx.shadows.update(ref, check.request, keyId, now);
  if (!outcome.ok) return fail(serviceError(outcome.status, outcome.message, check.request.clientToken));
  return ok(outcome.accepted);
}

function listOp(ctx: HandlerContext, r: ListRoute): Outcome {
  let pageSize = ctx.listPageSize;
  if (r.pageSize !== undefined) {
    const n = Number(r.pageSize);
    if (!/^\d+$/.test(r.pageSize) || n < 1 || n > 100) {
      const constraint = /^\d+$/.test(r.pageSize) && n < 1 ? 'Member must have value greater than or equal to 1' : 'Member must have value less than or equal to 100';
      return fail(serviceError(400, `1 validation error detected: Value '${r.pageSize}' at 'pageSize' failed to satisfy constraint: ${constraint}`));
    }
    pageSize = n;
  }
  let after: string | undefined;
  if (r.nextToken !== undefined) {
    after = listToken.decode(r.nextToken);
    if (after === undefined) return fail(serviceError(400, 'Invalid nextToken'));
  }
  const page = ctx.shadows.listNamed(r.thing, pageSize, after);
  const body: Record<string, unknown> = { results: page.results };
  if (page.last !== undefined) body.nextToken = listToken.encode(page.last);
  body.timestamp = Math.floor(ctx.now() / 1000);
  return ok(body);
}

function publishOp(ctx: HandlerContext, r: PublishRoute, body: Buffer, keyId: string, requestId: string): Outcome {
  const problem = topicProblem(r.topic);
  if (problem !== undefined) return fail(serviceError(400, problem));
  if (r.qos !== undefined && r.qos !== '0' && r.qos !== '1') return fail(serviceError(400, `Invalid qos: '${r.qos}'; expected 0 or 1`));
  ctx.store.publish(r.topic, body, r.qos === '1' ? 1 : 0, keyId, ctx.now());
  return ok({ message: 'OK', traceId: requestId });
}
