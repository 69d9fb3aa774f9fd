/**
 * The local cloud's IAM-style policy model: wildcards, variables, explicit Deny, default deny,
 * validation of policy documents.
 */
import { describe, expect, it } from 'vitest';
import {
  DATA_ACCESS_POLICY,
  THING_NAME_VARIABLE,
  connectionThingPolicy,
  evaluatePolicy,
  parsePolicy,
  patternMatches,
  policyDocument,
  thingArn,
  thingPolicy,
  topicArn,
} from '../../cloud/policy.js';
import type { AccessRequest, Policy } from '../../cloud/policy.js';

const scope = { region: 'us-east-1', account: '123456789012' };
const get = (thing: string, shadow?: string): AccessRequest => ({ action: 'iot:GetThingShadow', resource: thingArn(scope, thing, shadow) });
const allowed = (p: Policy, r: AccessRequest, vars = {}): boolean => evaluatePolicy(p, r, vars).allowed;

describe('policy: matching', () => {
  it('policy: * matches any run of characters, slashes and colons included; ? exactly one', () => {
    expect(patternMatches('arn:aws:iot:*:*:thing/*', 'arn:aws:iot:us-east-1:1:thing/a/b')).toBe(true);
    expect(patternMatches('arn:aws:iot:us-east-1:1:thing/t?', 'arn:aws:iot:us-east-1:1:thing/t1')).toBe(true);
    expect(patternMatches('arn:aws:iot:us-east-1:1:thing/t?', 'arn:aws:iot:us-east-1:1:thing/t10')).toBe(false);
    expect(patternMatches('*', '')).toBe(true);
    expect(patternMatches('a*b*c', 'aXXbYYbZc')).toBe(true);
    expect(patternMatches('a*b*c', 'aXXbYYbZ')).toBe(false);
  });

  it('policy: resources are case-sensitive, action names are not', () => {
    expect(patternMatches('thing/T1', 'thing/t1')).toBe(false);
    const p = parsePolicy('p', { Statement: { Effect: 'Allow', Action: 'IOT:getthingshadow', Resource: '*' } });
    expect(allowed(p, get('t1'))).toBe(true);
  });

  it('policy: a variable is replaced by its value as literal text; an unset variable matches nothing', () => {
    const pattern = `arn:aws:iot:us-east-1:1:thing/\${${THING_NAME_VARIABLE}}`;
    expect(patternMatches(pattern, 'arn:aws:iot:us-east-1:1:thing/t1', { [THING_NAME_VARIABLE]: 't1' })).toBe(true);
    expect(patternMatches(pattern, 'arn:aws:iot:us-east-1:1:thing/t2', { [THING_NAME_VARIABLE]: 't1' })).toBe(false);
    // A value holding * is not a wildcard.
    expect(patternMatches(pattern, 'arn:aws:iot:us-east-1:1:thing/t2', { [THING_NAME_VARIABLE]: '*' })).toBe(false);
    expect(patternMatches(pattern, 'arn:aws:iot:us-east-1:1:thing/t1', {})).toBe(false);
    expect(patternMatches('a${*}b', 'a*b')).toBe(true);
    expect(patternMatches('a${*}b', 'axb')).toBe(false);
  });

  it('policy: a pathological pattern against a long value finishes quickly', () => {
    const t = Date.now();
    expect(patternMatches('*a*a*a*a*a*a*a*a*b', 'a'.repeat(5000))).toBe(false);
    expect(Date.now() - t).toBeLessThan(2000);
  });
});

describe('policy: evaluation', () => {
  it('policy: the AWSIoTDataAccess-like policy allows every data-plane action on everything', () => {
    for (const action of ['iot:GetThingShadow', 'iot:UpdateThingShadow', 'iot:DeleteThingShadow', 'iot:ListNamedShadowsForThing'] as const) {
      expect(allowed(DATA_ACCESS_POLICY, { action, resource: thingArn(scope, 'any') })).toBe(true);
    }
    expect(allowed(DATA_ACCESS_POLICY, { action: 'iot:Publish', resource: topicArn(scope, 'x/y') })).toBe(true);
  });

  it('policy: a thing policy allows its own thing and named shadows, and nothing of another thing', () => {
    const p = thingPolicy(scope, 't1');
    expect(allowed(p, get('t1'))).toBe(true);
    expect(allowed(p, get('t1', 'cfg'))).toBe(true);
    expect(allowed(p, { action: 'iot:UpdateThingShadow', resource: thingArn(scope, 't1') })).toBe(true);
    expect(allowed(p, { action: 'iot:DeleteThingShadow', resource: thingArn(scope, 't1', 'x') })).toBe(true);
    expect(allowed(p, { action: 'iot:ListNamedShadowsForThing', resource: thingArn(scope, 't1') })).toBe(true);
    expect(allowed(p, get('t2'))).toBe(false);
    // A prefix is not the thing: t1 must not reach t10 or t1-other.
    expect(allowed(p, get('t10'))).toBe(false);
    expect(allowed(p, get('t1-other'))).toBe(false);
    expect(allowed(p, { action: 'iot:Publish', resource: topicArn(scope, 'dt/t1/temp') })).toBe(true);
    expect(allowed(p, { action: 'iot:Publish', resource: topicArn(scope, '$aws/things/t1/shadow/update') })).toBe(true);
    expect(allowed(p, { action: 'iot:Publish', resource: topicArn(scope, 'dt/t2/temp') })).toBe(false);
    expect(allowed(p, { action: 'iot:Publish', resource: topicArn(scope, '$aws/things/t2/shadow/update') })).toBe(false);
    // Another region or account is another resource.
    expect(allowed(p, { action: 'iot:GetThingShadow', resource: thingArn({ region: 'eu-west-1', account: scope.account }, 't1') })).toBe(false);
  });

  it('policy: the connection-thing policy follows the certificate\'s thing', () => {
    const p = connectionThingPolicy(scope);
    expect(allowed(p, get('t1'), { [THING_NAME_VARIABLE]: 't1' })).toBe(true);
    expect(allowed(p, get('t2'), { [THING_NAME_VARIABLE]: 't1' })).toBe(false);
    expect(allowed(p, get('t1'))).toBe(false);
  });

  it('policy: an explicit Deny wins over any Allow, in any order', () => {
    const deny = { Effect: 'Deny', Action: 'iot:DeleteThingShadow', Resource: '*' } as const;
    const allow = { Effect: 'Allow', Action: 'iot:*', Resource: '*' } as const;
    for (const order of [[deny, allow], [allow, deny]]) {
      const p = parsePolicy('p', { Statement: order });
      const d = evaluatePolicy(p, { action: 'iot:DeleteThingShadow', resource: thingArn(scope, 't1') });
      expect(d).toEqual({ allowed: false, reason: 'explicit-deny', statement: order.indexOf(deny) });
      expect(allowed(p, get('t1'))).toBe(true);
    }
  });

  it('policy: nothing matching is a deny by default', () => {
    const p = parsePolicy('p', { Statement: [{ Effect: 'Allow', Action: 'iot:Publish', Resource: '*' }] });
    expect(evaluatePolicy(p, get('t1'))).toEqual({ allowed: false, reason: 'no-allow' });
  });
});

describe('policy: documents', () => {
  it('policy: accepts AWS\'s shapes (single statement, single strings) and round-trips', () => {
    const p = parsePolicy('p', { Version: '2012-10-17', Statement: { Sid: 'a', Effect: 'Allow', Action: 'iot:GetThingShadow', Resource: 'arn:aws:iot:*:*:thing/x' } });
    expect(p.statements).toEqual([{ Effect: 'Allow', Action: ['iot:GetThingShadow'], Resource: ['arn:aws:iot:*:*:thing/x'] }]);
    expect(parsePolicy('q', policyDocument(thingPolicy(scope, 't1'))).statements).toEqual(thingPolicy(scope, 't1').statements);
  });

  it.each([
    ['no Statement', {}],
    ['an empty list', { Statement: [] }],
    ['a bad effect', { Statement: { Effect: 'allow', Action: '*', Resource: '*' } }],
    ['no Resource', { Statement: { Effect: 'Allow', Action: '*' } }],
    ['a number as Action', { Statement: { Effect: 'Allow', Action: 5, Resource: '*' } }],
    ['a Condition (unsupported: ignoring it would widen access)', { Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: {} } }],
    ['NotResource', { Statement: { Effect: 'Deny', Action: '*', NotResource: 'x' } }],
    ['an array', []],
  ])('policy: refuses a document with %s (ECONFIG)', (_what, doc) => {
    expect(() => parsePolicy('p', doc)).toThrow(expect.objectContaining({ code: 'ECONFIG' }));
  });
});
