/**
 * A small IAM-style policy model for the local cloud's data plane, shaped like AWS IoT policies
 * and IAM identity policies: statements with `Effect` Allow/Deny, `Action` names with `*`/`?`
 * wildcards, and `Resource` ARNs (`arn:aws:iot:REGION:ACCOUNT:thing/NAME[/SHADOW]`,
 * `…:topic/NAME`) with `*`/`?` wildcards and `${iot:Connection.Thing.ThingName}`-style variables.
 * Evaluation as AWS does it: an explicit Deny wins, else any Allow allows, else deny (default).
 */
import { DormouseError } from '../src/errors.js';

/** Data-plane actions the local cloud checks (one per REST operation). */
export const DATA_PLANE_ACTIONS = [
  'iot:GetThingShadow',
  'iot:UpdateThingShadow',
  'iot:DeleteThingShadow',
  'iot:ListNamedShadowsForThing',
  'iot:Publish',
] as const;

/** An action a request needs. */
export type DataPlaneAction = (typeof DATA_PLANE_ACTIONS)[number];

/** `Allow` or `Deny`. */
export type PolicyEffect = 'Allow' | 'Deny';

/** One statement, normalized (lists, never single strings). */
export interface PolicyStatement {
  readonly Effect: PolicyEffect;
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
}

/**
 * A policy document as AWS writes it: `{"Version":"2012-10-17","Statement":[…]}`; `Action` and
 * `Resource` may be one string or a list; `Statement` one object or a list.
 */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly PolicyStatementInput[] | PolicyStatementInput;
}

/** A statement as written (single strings allowed). */
export interface PolicyStatementInput {
  readonly Sid?: string;
  readonly Effect: PolicyEffect;
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
}

/** A named, validated policy. */
export interface Policy {
  /** For log lines and the keys file (`AWSIoTDataAccess`, `dormouse-thing:t1`, …). */
  readonly name: string;
  readonly statements: readonly PolicyStatement[];
}

/** What a request asks for: an action on a resource ARN. */
export interface AccessRequest {
  readonly action: DataPlaneAction;
  readonly resource: string;
}

/** Values of policy variables (`${iot:Connection.Thing.ThingName}`); absent ones never match. */
export type PolicyVariables = Readonly<Record<string, string | undefined>>;

/** The variable AWS IoT sets to the thing attached to the connection's certificate. */
export const THING_NAME_VARIABLE = 'iot:Connection.Thing.ThingName';

/** The outcome of an evaluation, with the reason (for the server's log line, never the client). */
export type Decision =
  | { readonly allowed: true; readonly statement: number }
  | { readonly allowed: false; readonly reason: 'explicit-deny'; readonly statement: number }
  | { readonly allowed: false; readonly reason: 'no-allow' };

/** Where resource ARNs live: region and account of the local cloud. */
export interface ArnScope {
  readonly region: string;
  readonly account: string;
}

/** The ARN of a thing (classic shadow, list) or of one of its named shadows. */
export function thingArn(scope: ArnScope, thing: string, shadow?: string): string {
  return `arn:aws:iot:${scope.region}:${scope.account}:thing/${thing}${shadow === undefined ? '' : `/${shadow}`}`;
}

/** The ARN of a topic (as published, not encoded). */
export function topicArn(scope: ArnScope, topic: string): string {
  return `arn:aws:iot:${scope.region}:${scope.account}:topic/${topic}`;
}

// ------------------------------------------------------------------------------------------
// Matching

/** One piece of a compiled pattern. */
type Piece = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'star' } | { readonly kind: 'one' };

/**
 * Split a pattern into literal text, `*` and `?`, substituting `${var}` with its value as
 * literal text (a value holding `*` does not become a wildcard). Undefined when a variable has
 * no value: such a resource matches nothing, as in IAM.
 */
function compile(pattern: string, vars: PolicyVariables): Piece[] | undefined {
  const out: Piece[] = [];
  let text = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '$' && pattern.charAt(i + 1) === '{') {
      const end = pattern.indexOf('}', i + 2);
      if (end < 0) {
        text += c;
        continue;
      }
      const name = pattern.substring(i + 2, end);
      // IAM's escapes: ${*} ${?} ${$} are the literal characters.
      let value: string | undefined;
      if (name === '*' || name === '?' || name === '$') value = name;
      else value = Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : undefined;
      if (value === undefined || value === '') return undefined;
      text += value;
      i = end;
    } else if (c === '*' || c === '?') {
      if (text !== '') out.push({ kind: 'text', text });
      text = '';
      out.push(c === '*' ? { kind: 'star' } : { kind: 'one' });
    } else text += c;
  }
  if (text !== '') out.push({ kind: 'text', text });
  return out;
}

/**
 * Does `value` match the compiled pieces? `*` is any run of characters (slashes and colons
 * included, as in IAM), `?` exactly one. Iterative with one backtrack point: linear-ish, no
 * regular expressions built from user text.
 */
function matchPieces(pieces: readonly Piece[], value: string): boolean {
  let p = 0;
  let v = 0;
  let starP = -1;
  let starV = 0;
  while (v < value.length || p < pieces.length) {
    if (p < pieces.length) {
      const piece = pieces[p] as Piece;
      if (piece.kind === 'star') {
        starP = p;
        starV = v;
        p++;
        continue;
      }
      if (piece.kind === 'one' && v < value.length) {
        p++;
        v++;
        continue;
      }
      if (piece.kind === 'text' && value.startsWith(piece.text, v)) {
        p++;
        v += piece.text.length;
        continue;
      }
    }
    if (starP >= 0 && starV < value.length) {
      starV++;
      p = starP + 1;
      v = starV;
      continue;
    }
    return false;
  }
  return true;
}

/** Does `pattern` (wildcards, variables) match `value`? `ignoreCase` for action names. */
export function patternMatches(pattern: string, value: string, vars: PolicyVariables = {}, ignoreCase = false): boolean {
  const pieces = compile(ignoreCase ? pattern.toLowerCase() : pattern, vars);
  if (pieces === undefined) return false;
  return matchPieces(pieces, ignoreCase ? value.toLowerCase() : value);
}

function statementMatches(s: PolicyStatement, req: AccessRequest, vars: PolicyVariables): boolean {
  let action = false;
  for (const a of s.Action) {
    if (patternMatches(a, req.action, {}, true)) {
      action = true;
      break;
    }
  }
  if (!action) return false;
  for (const r of s.Resource) if (patternMatches(r, req.resource, vars)) return true;
  return false;
}

/** Evaluate `policy` for `req`: explicit Deny wins, then any Allow, else denied by default. */
export function evaluatePolicy(policy: Policy, req: AccessRequest, vars: PolicyVariables = {}): Decision {
  let allow = -1;
  for (let i = 0; i < policy.statements.length; i++) {
    const s = policy.statements[i] as PolicyStatement;
    if (!statementMatches(s, req, vars)) continue;
    if (s.Effect === 'Deny') return { allowed: false, reason: 'explicit-deny', statement: i };
    if (allow < 0) allow = i;
  }
  return allow >= 0 ? { allowed: true, statement: allow } : { allowed: false, reason: 'no-allow' };
}

// ------------------------------------------------------------------------------------------
// Parsing

function bad(where: string, expected: string, got: unknown): DormouseError {
  let text: string;
  try {
    text = JSON.stringify(got) ?? String(got);
  } catch {
    text = String(got);
  }
  if (text.length > 60) text = `${text.substring(0, 57)}...`;
  return new DormouseError('ECONFIG', `${where}: expected ${expected}, got ${text}`);
}

function stringList(where: string, v: unknown): string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0 || list.some((x) => typeof x !== 'string' || x === '' || x.length > 2048)) {
    throw bad(where, 'a non-empty string or list of non-empty strings', v);
  }
  return list as string[];
}

/**
 * Validate a policy document (from the keys file or options) and name it. Throws `ECONFIG`
 * saying which statement and field is wrong. Conditions and NotAction/NotResource are not
 * supported and refused rather than ignored (ignoring them would widen access).
 */
export function parsePolicy(name: string, doc: unknown): Policy {
  const where = `policy ${name}`;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw bad(where, 'a JSON object {"Statement": [...]}', doc);
  const raw = (doc as { Statement?: unknown }).Statement;
  const list = Array.isArray(raw) ? raw : raw !== undefined ? [raw] : undefined;
  if (list === undefined || list.length === 0) throw bad(`${where}: "Statement"`, 'one statement or a non-empty list', raw);
  const statements: PolicyStatement[] = [];
  list.forEach((s: unknown, i: number) => {
    const at = `${where}: Statement[${i}]`;
    if (s === null || typeof s !== 'object' || Array.isArray(s)) throw bad(at, 'an object', s);
    const o = s as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (k !== 'Sid' && k !== 'Effect' && k !== 'Action' && k !== 'Resource') throw bad(`${at}: "${k}"`, 'only Sid, Effect, Action, Resource (not supported here)', o[k]);
    }
    if (o.Effect !== 'Allow' && o.Effect !== 'Deny') throw bad(`${at}: "Effect"`, '"Allow" or "Deny"', o.Effect);
    statements.push({ Effect: o.Effect, Action: stringList(`${at}: "Action"`, o.Action), Resource: stringList(`${at}: "Resource"`, o.Resource) });
  });
  return { name, statements };
}

/** The AWS-shaped JSON of a policy (what the keys file stores). */
export function policyDocument(p: Policy): { Version: string; Statement: PolicyStatement[] } {
  return { Version: '2012-10-17', Statement: p.statements.map((s) => ({ Effect: s.Effect, Action: [...s.Action], Resource: [...s.Resource] })) };
}

// ------------------------------------------------------------------------------------------
// The policies dormouse uses

/**
 * Like AWS's managed `AWSIoTDataAccess`: every data-plane action on every resource. The cloud's
 * own (admin) key gets it; a device should not.
 */
export const DATA_ACCESS_POLICY: Policy = {
  name: 'AWSIoTDataAccess',
  statements: [
    {
      Effect: 'Allow',
      Action: ['iot:Connect', 'iot:Publish', 'iot:Subscribe', 'iot:Receive', 'iot:GetThingShadow', 'iot:UpdateThingShadow', 'iot:DeleteThingShadow', 'iot:ListNamedShadowsForThing'],
      Resource: ['*'],
    },
  ],
};

/**
 * The statements that limit a principal to one thing: its shadows (classic and named), the list
 * of its named shadows, and publishing under `dt/THING/…` (device telemetry) and its own
 * `$aws/things/THING/shadow/…` topics. `thing` may be a literal name or a `${variable}`.
 */
function thingStatements(scope: ArnScope, thing: string): PolicyStatement[] {
  const arn = (kind: string, rest: string): string => `arn:aws:iot:${scope.region}:${scope.account}:${kind}/${rest}`;
  return [
    {
      Effect: 'Allow',
      Action: ['iot:GetThingShadow', 'iot:UpdateThingShadow', 'iot:DeleteThingShadow'],
      Resource: [arn('thing', thing), arn('thing', `${thing}/*`)],
    },
    { Effect: 'Allow', Action: ['iot:ListNamedShadowsForThing'], Resource: [arn('thing', thing)] },
    { Effect: 'Allow', Action: ['iot:Publish'], Resource: [arn('topic', `dt/${thing}/*`), arn('topic', `$aws/things/${thing}/shadow/*`)] },
  ];
}

/** A policy limiting a key to the thing `thing` (what `dormouse cloud provision` attaches). */
export function thingPolicy(scope: ArnScope, thing: string): Policy {
  return { name: `dormouse-thing:${thing}`, statements: thingStatements(scope, thing) };
}

/**
 * The X.509 form: the thing is `${iot:Connection.Thing.ThingName}`, the thing the certificate is
 * attached to in the registry, so one policy serves every device certificate (AWS's pattern).
 */
export function connectionThingPolicy(scope: ArnScope): Policy {
  return { name: 'dormouse-connection-thing', statements: thingStatements(scope, `\${${THING_NAME_VARIABLE}}`) };
}
