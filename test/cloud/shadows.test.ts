/**
 * Shadow behaviour of the local cloud over real HTTPS, row by row against specs/aws-iot.md:
 * delta, merge, metadata, versions, clientToken, every error status/type/message, limits, names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCloud } from '../../cloud/index.js';
import { shadowApi, startTestCloud } from './support/cloud-fixture.js';
import type { TestResponse } from './support/cloud-fixture.js';

let cloud: RunningCloud;
let offset = 0;
const now = (): number => Date.now() + offset;
let api: ReturnType<typeof shadowApi>;
let n = 0;
/** A thing name no other test uses. */
const fresh = (base = 'thing'): string => `${base}-${++n}`;

beforeAll(async () => {
  cloud = await startTestCloud({ now });
  api = shadowApi(cloud, { now });
});
afterAll(async () => {
  await cloud.close();
});

function expectError(r: TestResponse, status: number, type: string, message: string): void {
  expect(r.status).toBe(status);
  expect(r.headers['x-amzn-errortype']).toBe(`${type}:`);
  expect(r.headers['content-type']).toBe('application/json');
  expect(r.json.code).toBe(status);
  expect(r.json.message).toBe(message);
  expect(r.headers.date).toBeTruthy();
  expect(r.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
}

describe('delta (every row of the spec table)', () => {
  const rows: [string, unknown, unknown, unknown][] = [
    ['differing scalars, keys only in reported ignored', { color: 'RED', state: 'STOP' }, { color: 'GREEN', engine: 'ON' }, { color: 'RED', state: 'STOP' }],
    ['nested objects keep only what differs', { lights: { color: { r: 255, g: 255, b: 255 } } }, { lights: { color: { r: 255, g: 0, b: 255 } } }, { lights: { color: { g: 255 } } }],
    ['equal values: no delta', { enabled: true }, { online: false, enabled: true }, undefined],
    ['arrays compared whole', { list: ['value_1'] }, { list: ['value_1', 'value_2'] }, { list: ['value_1'] }],
    ['no empty sub-object', { a: { b: 1 } }, { a: { b: 1, c: 2 } }, undefined],
  ];
  for (const [name, desired, reported, delta] of rows) {
    it(`shadow: delta ${name}`, async () => {
      const t = fresh();
      expect((await api.update(t, { state: { desired, reported } })).status).toBe(200);
      const got = await api.get(t);
      expect(got.status).toBe(200);
      expect(got.json.state.desired).toEqual(desired);
      expect(got.json.state.reported).toEqual(reported);
      if (delta === undefined) expect('delta' in got.json.state).toBe(false);
      else expect(got.json.state.delta).toEqual(delta);
      expect(got.json.metadata.delta).toBeUndefined();
    });
  }

  it('shadow: desired without reported is the whole delta', async () => {
    const t = fresh();
    await api.update(t, { state: { desired: { sleep: 30, cfg: { a: 1 } } } });
    expect((await api.get(t)).json.state.delta).toEqual({ sleep: 30, cfg: { a: 1 } });
  });
});

describe('merge', () => {
  it('shadow: null deletes a key, objects merge recursively, scalars replace', async () => {
    const t = fresh();
    await api.update(t, { state: { reported: { a: 1, b: { c: 1, d: 2 }, e: 'x' } } });
    await api.update(t, { state: { reported: { a: null, b: { c: 5 }, e: 'y' } } });
    expect((await api.get(t)).json.state.reported).toEqual({ b: { c: 5, d: 2 }, e: 'y' });
  });

  it('shadow: arrays replace whole', async () => {
    const t = fresh();
    await api.update(t, { state: { reported: { colors: ['RED', 'GREEN', 'BLUE'] } } });
    await api.update(t, { state: { reported: { colors: ['RED'] } } });
    expect((await api.get(t)).json.state.reported).toEqual({ colors: ['RED'] });
  });

  it('shadow: an empty object is stored as it is', async () => {
    const t = fresh();
    await api.update(t, { state: { reported: { d: {}, x: 1 } } });
    expect((await api.get(t)).json.state.reported).toEqual({ d: {}, x: 1 });
  });

  it('shadow: a section that becomes empty disappears', async () => {
    const t = fresh();
    await api.update(t, { state: { desired: { a: 1 }, reported: { b: 2 } } });
    await api.update(t, { state: { desired: { a: null } } });
    const got = await api.get(t);
    expect(got.json.state).toEqual({ reported: { b: 2 } });
    expect(got.json.metadata.desired).toBeUndefined();
  });

  it('shadow: a fresh shadow updated with an empty desired has state {}', async () => {
    const t = fresh();
    const up = await api.update(t, { state: { desired: {} } });
    expect(up.status).toBe(200);
    const got = await api.get(t);
    expect(got.status).toBe(200);
    expect(got.json.state).toEqual({});
    expect(got.json.version).toBe(1);
  });

  it('shadow: "state": null clears desired and reported, keeps the shadow and bumps the version', async () => {
    const t = fresh();
    await api.update(t, { state: { desired: { a: 1 }, reported: { a: 2 } } });
    const up = await api.update(t, { state: null });
    expect(up.status).toBe(200);
    expect(up.json.version).toBe(2);
    const got = await api.get(t);
    expect(got.status).toBe(200);
    expect(got.json.state).toEqual({});
    expect(got.json.version).toBe(2);
  });

  it('shadow: "desired": null removes desired only', async () => {
    const t = fresh();
    await api.update(t, { state: { desired: { a: 1 }, reported: { a: 2 } } });
    const up = await api.update(t, { state: { desired: null } });
    expect(up.json.state).toEqual({ desired: null });
    const got = await api.get(t);
    expect(got.json.state).toEqual({ reported: { a: 2 } });
  });

  it('shadow: "reported": null removes reported only', async () => {
    const t = fresh();
    await api.update(t, { state: { desired: { a: 1 }, reported: { a: 2 } } });
    await api.update(t, { state: { reported: null } });
    expect((await api.get(t)).json.state).toEqual({ desired: { a: 1 }, delta: { a: 1 } });
  });

  it('shadow: fields outside state, clientToken and version are ignored', async () => {
    const t = fresh();
    const up = await api.update(t, { state: { reported: { a: 1 } }, extra: { deep: true } });
    expect(up.status).toBe(200);
    expect(up.json.extra).toBeUndefined();
  });
});

describe('metadata, version, time', () => {
  it('shadow: metadata mirrors the state with a timestamp per leaf; untouched leaves keep theirs', async () => {
    const t = fresh();
    const t0 = Math.floor(now() / 1000);
    await api.update(t, { state: { reported: { a: 1, b: { c: 2 }, list: [1, 2] } } });
    offset += 120_000; // two minutes later
    const t1 = Math.floor(now() / 1000);
    await api.update(t, { state: { reported: { b: { d: 3 } } } });
    const got = await api.get(t);
    const m = got.json.metadata.reported;
    expect(m.a.timestamp).toBeGreaterThanOrEqual(t0);
    expect(m.a.timestamp).toBeLessThan(t1);
    expect(m.b.c.timestamp).toBe(m.a.timestamp);
    expect(m.b.d.timestamp).toBeGreaterThanOrEqual(t1);
    expect(m.list).toEqual([{ timestamp: m.a.timestamp }, { timestamp: m.a.timestamp }]);
    expect(got.json.timestamp).toBeGreaterThanOrEqual(t1);
  });

  it('shadow: the update response carries only what the request carried, with metadata, version, timestamp and clientToken', async () => {
    const t = fresh();
    await api.update(t, { state: { reported: { keep: 1 } } });
    const up = await api.update(t, { state: { desired: { sleep: 60, gone: null } }, clientToken: 'tok-1' });
    expect(up.status).toBe(200);
    expect(up.json.state).toEqual({ desired: { sleep: 60, gone: null } });
    expect(Object.keys(up.json.metadata)).toEqual(['desired']);
    expect(up.json.metadata.desired.sleep.timestamp).toBe(up.json.timestamp);
    expect(up.json.metadata.desired.gone.timestamp).toBe(up.json.timestamp);
    expect(up.json.version).toBe(2);
    expect(up.json.clientToken).toBe('tok-1');
    expect(Math.abs(up.json.timestamp - Math.floor(now() / 1000))).toBeLessThanOrEqual(1);
  });

  it('shadow: version is 1 after the first update and +1 per accepted update', async () => {
    const t = fresh();
    for (let v = 1; v <= 3; v++) expect((await api.update(t, { state: { reported: { v } } })).json.version).toBe(v);
    expect((await api.get(t)).json.version).toBe(3);
  });

  it('shadow: an update with the current version is accepted', async () => {
    const t = fresh();
    await api.update(t, { state: { reported: { a: 1 } } });
    const up = await api.update(t, { state: { reported: { a: 2 } }, version: 1 });
    expect(up.status).toBe(200);
    expect(up.json.version).toBe(2);
  });

  it('shadow: update with version conflict returns 409 with the clientToken echoed', async () => {
    const t = fresh();
    await api.update(t, { state: { reported: { a: 1 } } });
    const up = await api.update(t, { state: { reported: { a: 2 } }, version: 7, clientToken: 'c-409' });
    expectError(up, 409, 'ConflictException', 'Version conflict');
    expect(up.json.clientToken).toBe('c-409');
    expect((await api.get(t)).json.state.reported).toEqual({ a: 1 });
  });

  it('shadow: delete answers version and timestamp, GET is then 404, and numbering continues', async () => {
    const t = fresh();
    await api.update(t, { state: { reported: { a: 1 } } });
    await api.update(t, { state: { reported: { a: 2 } } });
    const del = await api.delete(t);
    expect(del.status).toBe(200);
    expect(Object.keys(del.json).sort()).toEqual(['timestamp', 'version']);
    expect(del.json.version).toBe(2);
    expectError(await api.get(t), 404, 'ResourceNotFoundException', `No shadow exists with name: '${t}'`);
    expectError(await api.delete(t), 404, 'ResourceNotFoundException', `No shadow exists with name: '${t}'`);
    const again = await api.update(t, { state: { reported: { b: 1 } } });
    expect(again.json.version).toBe(3);
    expect((await api.get(t)).json.state).toEqual({ reported: { b: 1 } });
  });

  it('shadow: a shadow re-created more than 48 hours after its delete starts again at version 1', async () => {
    const t = fresh();
    await api.update(t, { state: { reported: { a: 1 } } });
    await api.update(t, { state: { reported: { a: 2 } } });
    await api.delete(t);
    offset += 49 * 3600 * 1000;
    try {
      expect((await api.update(t, { state: { reported: { a: 3 } } })).json.version).toBe(1);
    } finally {
      offset -= 49 * 3600 * 1000;
    }
  });
});

describe('named shadows and listing', () => {
  it('shadow: named shadows are separate from the classic one and 404 names the shadow', async () => {
    const t = fresh();
    await api.update(t, { state: { reported: { classic: true } } });
    await api.update(t, { state: { reported: { named: true } } }, 'cfg');
    expect((await api.get(t)).json.state.reported).toEqual({ classic: true });
    expect((await api.get(t, 'cfg')).json.state.reported).toEqual({ named: true });
    expectError(await api.get(t, 'other'), 404, 'ResourceNotFoundException', "No shadow exists with name: 'other'");
  });

  it('shadow: ListNamedShadowsForThing pages with nextToken, lists neither the classic nor deleted shadows', async () => {
    const t = fresh();
    await api.update(t, { state: { reported: { c: 1 } } });
    const names = ['e', 'a', 'd', '$b', 'c'];
    for (const s of names) await api.update(t, { state: { reported: { s } } }, s);
    await api.update(t, { state: { reported: { gone: 1 } } }, 'zz');
    await api.delete(t, 'zz');
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await api.list(t, `?pageSize=2${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`);
      expect(r.status).toBe(200);
      expect(r.json.results.length).toBeLessThanOrEqual(2);
      expect(typeof r.json.timestamp).toBe('number');
      seen.push(...r.json.results);
      token = r.json.nextToken;
      pages++;
    } while (token !== undefined && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...names].sort());
  });

  it('shadow: ListNamedShadowsForThing of a thing without named shadows is empty', async () => {
    const r = await api.list(fresh());
    expect(r.status).toBe(200);
    expect(r.json.results).toEqual([]);
    expect(r.json.nextToken).toBeUndefined();
  });

  it('shadow: ListNamedShadowsForThing refuses pageSize outside 1..100 and a forged nextToken', async () => {
    const t = fresh();
    expect((await api.list(t, '?pageSize=0')).status).toBe(400);
    expect((await api.list(t, '?pageSize=101')).status).toBe(400);
    const bad = await api.list(t, '?nextToken=%21%21');
    expect(bad.status).toBe(400);
    expect(bad.headers['x-amzn-errortype']).toBe('InvalidRequestException:');
  });
});

describe('errors (every 400/404/405/413/415 of the spec)', () => {
  const cases: [string, string, string][] = [
    ['not JSON', '{"state":', 'Invalid JSON'],
    ['a JSON array', '[1]', 'Invalid JSON'],
    ['no state', '{"clientToken":"x"}', 'Missing required node: state'],
    ['state a number', '{"state":1}', 'State node must be an object'],
    ['state an array', '{"state":[]}', 'State node must be an object'],
    ['desired an array', '{"state":{"desired":[1]}}', 'Desired node must be an object'],
    ['reported a string', '{"state":{"reported":"x"}}', 'Reported node must be an object'],
    ['version a string', '{"state":{},"version":"1"}', 'Invalid version'],
    ['version negative', '{"state":{},"version":-1}', 'Invalid version'],
    ['version fractional', '{"state":{},"version":1.5}', 'Invalid version'],
    ['clientToken a number', '{"state":{},"clientToken":5}', 'Invalid clientToken'],
    ['clientToken over 64 bytes', JSON.stringify({ state: {}, clientToken: 'x'.repeat(65) }), 'Invalid clientToken'],
    ['clientToken over 64 bytes in UTF-8', JSON.stringify({ state: {}, clientToken: 'é'.repeat(33) }), 'Invalid clientToken'],
    ['delta under state', '{"state":{"delta":{"a":1}}}', "State contains an invalid node: 'delta'"],
    ['arrays holding null', '{"state":{"reported":{"a":[1,null]}}}', 'Invalid JSON'],
    ['nested arrays holding null', '{"state":{"desired":{"a":{"b":[[null]]}}}}', 'Invalid JSON'],
  ];
  for (const [name, body, message] of cases) {
    it(`shadow: update with ${name} is 400 "${message}"`, async () => {
      expectError(await api.update(fresh(), body), 400, 'InvalidRequestException', message);
    });
  }

  it('shadow: a 400 echoes a valid clientToken', async () => {
    const r = await api.update(fresh(), '{"clientToken":"ct-400","state":5}');
    expectError(r, 400, 'InvalidRequestException', 'State node must be an object');
    expect(r.json.clientToken).toBe('ct-400');
  });

  it('shadow: 5 key levels under a section are accepted, 6 are 400 with the exact text', async () => {
    const t = fresh();
    const ok = { state: { desired: { a: { b: { c: { d: { e: 1 } } } } } } };
    expect((await api.update(t, ok)).status).toBe(200);
    const deep = { state: { desired: { a: { b: { c: { d: { e: { f: 1 } } } } } } } };
    expectError(await api.update(t, deep), 400, 'InvalidRequestException', 'JSON contains too many levels of nesting; maximum is 6');
  });

  it('shadow: the nesting limit is configurable', async () => {
    const c = await startTestCloud({ limits: { maxNesting: 3 } });
    try {
      const a = shadowApi(c);
      expect((await a.update('t', { state: { desired: { a: { b: 1 } } } })).status).toBe(200);
      expectError(await a.update('t', { state: { desired: { a: { b: { c: 1 } } } } }), 400, 'InvalidRequestException', 'JSON contains too many levels of nesting; maximum is 3');
    } finally {
      await c.close();
    }
  });

  it('shadow: a state over 8192 bytes is 413, just under is accepted', async () => {
    const t = fresh();
    // The state document {"reported":{"x":"…"}} has 21 bytes around the string.
    const around = '{"reported":{"x":""}}'.length;
    expect((await api.update(t, { state: { reported: { x: 'a'.repeat(8192 - around) } } })).status).toBe(200);
    expect((await api.get(t)).json.state.reported.x.length).toBe(8192 - around);
    const t2 = fresh();
    expectError(await api.update(t2, { state: { reported: { x: 'a'.repeat(8192 - around + 1) } } }), 413, 'RequestEntityTooLargeException', 'The payload exceeds the maximum size allowed');
    expectError(await api.get(t2), 404, 'ResourceNotFoundException', `No shadow exists with name: '${t2}'`);
  });

  it('shadow: the 8 KB limit counts desired and reported together by default, each alone when configured', async () => {
    const big = { state: { desired: { x: 'a'.repeat(5000) }, reported: { x: 'b'.repeat(5000) } } };
    expect((await api.update(fresh(), big)).status).toBe(413);
    const c = await startTestCloud({ limits: { stateSizeScope: 'per-section' } });
    try {
      expect((await shadowApi(c).update('t', big)).status).toBe(200);
    } finally {
      await c.close();
    }
  });

  it('shadow: a 413 keeps the stored shadow unchanged', async () => {
    const t = fresh();
    await api.update(t, { state: { reported: { a: 1 } } });
    expect((await api.update(t, { state: { reported: { x: 'z'.repeat(9000) } } })).status).toBe(413);
    const got = await api.get(t);
    expect(got.json.state.reported).toEqual({ a: 1 });
    expect(got.json.version).toBe(1);
  });

  it('shadow: a body that is not UTF-8 is 415', async () => {
    const body = Buffer.concat([Buffer.from('{"state":{"reported":{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}}')]);
    expectError(await api.update(fresh(), body), 415, 'UnsupportedDocumentEncodingException', 'Unsupported documented encoding; supported encoding is UTF-8');
  });

  it('shadow: application/octet-stream bodies are accepted (what the AWS SDK sends)', async () => {
    const a = shadowApi(cloud, { now, headers: { 'Content-Type': 'application/octet-stream' } });
    expect((await a.update(fresh(), { state: { reported: { a: 1 } } })).status).toBe(200);
  });

  it('shadow: a wrong method for a path is 405 MethodNotAllowedException', async () => {
    const t = fresh();
    for (const [method, path] of [
      ['PUT', `/things/${t}/shadow`],
      ['PATCH', `/things/${t}/shadow`],
      ['POST', `/api/things/shadow/ListNamedShadowsForThing/${t}`],
      ['GET', '/topics/a'],
    ] as const) {
      const r = await api.raw(method, path, method === 'GET' ? undefined : '{}');
      expect(r.status, `${method} ${path}`).toBe(405);
      expect(r.headers['x-amzn-errortype']).toBe('MethodNotAllowedException:');
    }
  });

  it('shadow: an unknown path is 404', async () => {
    const r = await api.raw('GET', '/nothing/here');
    expect(r.status).toBe(404);
    expect(r.headers['x-amzn-errortype']).toBe('ResourceNotFoundException:');
  });
});

describe('names', () => {
  it('shadow: thing names follow [a-zA-Z0-9:_-]{1,128}; ":" arrives as %3A', async () => {
    const t = `my:thing_${++n}-x`;
    expect((await api.update(t, { state: { reported: { a: 1 } } })).status).toBe(200);
    expect((await api.get(t)).json.state.reported).toEqual({ a: 1 });
    expect((await api.update('t'.repeat(128), { state: {} })).status).toBe(200);
    for (const bad of ['t'.repeat(129), 'a b', 'a.b', 'é']) {
      const r = await api.update(bad, { state: {} });
      expect(r.status, bad).toBe(400);
      expect(r.headers['x-amzn-errortype']).toBe('InvalidRequestException:');
      expect(r.json.message).toContain("at 'thingName' failed to satisfy constraint");
    }
  });

  it('shadow: shadow names follow [$a-zA-Z0-9:_-]{1,64}', async () => {
    const t = fresh();
    expect((await api.update(t, { state: {} }, '$cfg:1_a-b')).status).toBe(200);
    expect((await api.update(t, { state: {} }, 's'.repeat(64))).status).toBe(200);
    for (const bad of ['s'.repeat(65), 'a/b', 'a b', '']) {
      const r = await api.update(t, { state: {} }, bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.json.message).toContain("at 'shadowName' failed to satisfy constraint");
    }
  });
});

describe('topics', () => {
  it('publish: accepted messages answer OK with the request id as traceId and are kept', async () => {
    const r = await api.publish('dev/t1/events', '{"hello":1}', 1);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ message: 'OK', traceId: r.headers['x-amzn-requestid'] });
    const kept = cloud.store.messages('dev/t1/events');
    expect(kept.length).toBe(1);
    expect(kept[0]?.payload.toString()).toBe('{"hello":1}');
    expect(kept[0]?.qos).toBe(1);
    expect(kept[0]?.keyId).toBe('AKIDEXAMPLE');
  });

  it('publish: only the newest N messages per topic are kept', async () => {
    const c = await startTestCloud({ messagesPerTopic: 3 });
    try {
      const a = shadowApi(c);
      for (let i = 0; i < 5; i++) expect((await a.publish('bounded', `m${i}`)).status).toBe(200);
      expect(c.store.messages('bounded').map((m) => m.payload.toString())).toEqual(['m4', 'm3', 'm2']);
    } finally {
      await c.close();
    }
  });

  it('publish: a bad qos, a topic with wildcards or more than 7 slashes is 400; binary payloads are fine', async () => {
    expect((await api.publish('a/b', 'x', 2)).status).toBe(400);
    expect((await api.publish('a/+/b', 'x')).status).toBe(400);
    expect((await api.publish('1/2/3/4/5/6/7/8/9', 'x')).status).toBe(400);
    expect((await api.publish('t'.repeat(257), 'x')).status).toBe(400);
    expect((await api.publish('bin', Buffer.from([0xff, 0x00, 0xfe]))).status).toBe(200);
    expect(cloud.store.messages('bin')[0]?.payload).toEqual(Buffer.from([0xff, 0x00, 0xfe]));
  });

  it('shadow: an accepted update publishes /update/documents and, with a delta, /update/delta', async () => {
    const t = fresh();
    await api.update(t, { state: { reported: { a: 1 } } });
    await api.update(t, { state: { desired: { a: 2 } }, clientToken: 'ct' });
    const prefix = `$aws/things/${t}/shadow`;
    const delta = JSON.parse(cloud.store.messages(`${prefix}/update/delta`)[0]?.payload.toString() ?? 'null');
    expect(delta.state).toEqual({ a: 2 });
    expect(delta.version).toBe(2);
    expect(delta.clientToken).toBe('ct');
    expect(delta.metadata.a.timestamp).toBe(delta.timestamp);
    const docs = cloud.store.messages(`${prefix}/update/documents`);
    expect(docs.length).toBe(2);
    const latest = JSON.parse(docs[0]?.payload.toString() ?? 'null');
    expect(latest.previous.state).toEqual({ reported: { a: 1 } });
    expect(latest.current.state).toEqual({ desired: { a: 2 }, reported: { a: 1 } });
    expect(latest.current.version).toBe(2);
    await api.update(t, { state: { desired: { b: 1 } } }, 'named');
    expect(cloud.store.messages(`${prefix}/name/named/update/delta`).length).toBe(1);
  });
});

describe('throttling', () => {
  it('shadow: more than the per-thing rate is 429 ThrottlingException; other things are unaffected', async () => {
    const c = await startTestCloud({ throttle: { perThingPerSecond: 5, inFlightPerThing: 10 } });
    try {
      const a = shadowApi(c);
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await a.get('busy')).status);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
      const throttled = await a.get('busy');
      expect(throttled.status).toBe(429);
      expect(throttled.headers['x-amzn-errortype']).toBe('ThrottlingException:');
      expect((await a.get('calm')).status).toBe(404);
    } finally {
      await c.close();
    }
  });
});

describe('every response carries Date', () => {
  it('shadow: 200, 4xx and 403 responses have a Date header from the server clock', async () => {
    const t = fresh();
    const rs = [await api.update(t, { state: {} }), await api.get(fresh()), await api.update(t, '{')];
    for (const r of rs) {
      const d = Date.parse(String(r.headers.date));
      expect(Math.abs(d - now())).toBeLessThan(3000);
    }
  });
});
