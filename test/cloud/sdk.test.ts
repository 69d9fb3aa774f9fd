/**
 * The real AWS SDK (`@aws-sdk/client-iot-data-plane`) against the local cloud, trusting only
 * DIR/ca.pem: it must not be able to tell it from AWS for get/update/delete/list/publish, and
 * must get AWS-shaped errors as its own exception classes.
 */
import * as https from 'node:https';
import {
  ConflictException,
  DeleteThingShadowCommand,
  GetThingShadowCommand,
  InvalidRequestException,
  IoTDataPlaneClient,
  ListNamedShadowsForThingCommand,
  PublishCommand,
  RequestEntityTooLargeException,
  ResourceNotFoundException,
  UnsupportedDocumentEncodingException,
  UpdateThingShadowCommand,
} from '@aws-sdk/client-iot-data-plane';
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCloud } from '../../cloud/index.js';
import { EXAMPLE_CREDENTIALS, startTestCloud } from './support/cloud-fixture.js';

let cloud: RunningCloud;
let client: IoTDataPlaneClient;
let agent: https.Agent;

function sdkClient(credentials = EXAMPLE_CREDENTIALS): IoTDataPlaneClient {
  return new IoTDataPlaneClient({
    region: 'us-east-1',
    endpoint: cloud.url,
    credentials,
    maxAttempts: 1,
    // Trust exactly the cloud's CA file, as a device or a user's script would.
    requestHandler: { httpsAgent: agent },
  });
}

const text = (u: Uint8Array | undefined): string => Buffer.from(u ?? new Uint8Array()).toString('utf8');
const json = (o: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(o));

beforeAll(async () => {
  cloud = await startTestCloud();
  agent = new https.Agent({ ca: fs.readFileSync(cloud.caPath), keepAlive: true });
  client = sdkClient();
});
afterAll(async () => {
  client.destroy();
  agent.destroy();
  await cloud.close();
});

describe('AWS SDK against the local cloud', () => {
  it('sdk: update, get (with delta), delete a classic shadow', async () => {
    const up = await client.send(new UpdateThingShadowCommand({ thingName: 'sdk-1', payload: json({ state: { desired: { sleep: 60 }, reported: { sleep: 30 } }, clientToken: 'sdk' }) }));
    const accepted = JSON.parse(text(up.payload));
    expect(accepted.version).toBe(1);
    expect(accepted.clientToken).toBe('sdk');
    const got = await client.send(new GetThingShadowCommand({ thingName: 'sdk-1' }));
    const doc = JSON.parse(text(got.payload));
    expect(doc.state.delta).toEqual({ sleep: 60 });
    expect(doc.metadata.desired.sleep.timestamp).toBe(accepted.timestamp);
    const del = await client.send(new DeleteThingShadowCommand({ thingName: 'sdk-1' }));
    expect(JSON.parse(text(del.payload)).version).toBe(1);
    await expect(client.send(new GetThingShadowCommand({ thingName: 'sdk-1' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('sdk: named shadows and ListNamedShadowsForThing with pagination', async () => {
    for (const name of ['n1', 'n2', 'n3']) {
      await client.send(new UpdateThingShadowCommand({ thingName: 'sdk-2', shadowName: name, payload: json({ state: { reported: { name } } }) }));
    }
    const got = await client.send(new GetThingShadowCommand({ thingName: 'sdk-2', shadowName: 'n2' }));
    expect(JSON.parse(text(got.payload)).state.reported).toEqual({ name: 'n2' });
    const page1 = await client.send(new ListNamedShadowsForThingCommand({ thingName: 'sdk-2', pageSize: 2 }));
    expect(page1.results).toEqual(['n1', 'n2']);
    expect(page1.nextToken).toBeTruthy();
    expect(typeof page1.timestamp).toBe('number');
    const page2 = await client.send(new ListNamedShadowsForThingCommand({ thingName: 'sdk-2', pageSize: 2, nextToken: page1.nextToken }));
    expect(page2.results).toEqual(['n3']);
    expect(page2.nextToken).toBeUndefined();
  });

  it('sdk: a thing name with ":" round-trips', async () => {
    await client.send(new UpdateThingShadowCommand({ thingName: 'sdk:colon', payload: json({ state: { reported: { ok: true } } }) }));
    const got = await client.send(new GetThingShadowCommand({ thingName: 'sdk:colon' }));
    expect(JSON.parse(text(got.payload)).state.reported).toEqual({ ok: true });
  });

  it('sdk: publish to a topic with slashes and $', async () => {
    const r = await client.send(new PublishCommand({ topic: '$aws/things/sdk-3/shadow/custom', qos: 1, payload: json({ hi: 1 }) }));
    expect(r.$metadata.httpStatusCode).toBe(200);
    const kept = cloud.store.messages('$aws/things/sdk-3/shadow/custom');
    expect(kept[0]?.payload.toString()).toBe('{"hi":1}');
    expect(kept[0]?.qos).toBe(1);
  });

  it('sdk: errors arrive as the SDK\'s own exceptions with AWS\'s messages', async () => {
    await client.send(new UpdateThingShadowCommand({ thingName: 'sdk-4', payload: json({ state: { reported: { a: 1 } } }) }));
    const conflict = await client.send(new UpdateThingShadowCommand({ thingName: 'sdk-4', payload: json({ state: { reported: { a: 2 } }, version: 9 }) })).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConflictException);
    expect((conflict as ConflictException).message).toBe('Version conflict');
    expect((conflict as ConflictException).$metadata.httpStatusCode).toBe(409);

    const missing = await client.send(new GetThingShadowCommand({ thingName: 'sdk-none' })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect((missing as Error).message).toBe("No shadow exists with name: 'sdk-none'");

    await expect(client.send(new UpdateThingShadowCommand({ thingName: 'sdk-4', payload: json({ nostate: 1 }) }))).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(
      client.send(new UpdateThingShadowCommand({ thingName: 'sdk-4', payload: json({ state: { reported: { x: 'y'.repeat(9000) } } }) })),
    ).rejects.toBeInstanceOf(RequestEntityTooLargeException);
    await expect(
      client.send(new UpdateThingShadowCommand({ thingName: 'sdk-4', payload: new Uint8Array([0x7b, 0xff, 0x7d]) })),
    ).rejects.toBeInstanceOf(UnsupportedDocumentEncodingException);
  });

  it('sdk: a wrong secret is a 403 ForbiddenException', async () => {
    const bad = sdkClient({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wrong' });
    try {
      const e = (await bad.send(new GetThingShadowCommand({ thingName: 'sdk-1' })).catch((x: unknown) => x)) as { name: string; $metadata: { httpStatusCode: number }; message: string };
      expect(e.name).toBe('ForbiddenException');
      expect(e.$metadata.httpStatusCode).toBe(403);
      expect(e.message).toMatch(/^The request signature we calculated does not match/);
    } finally {
      bad.destroy();
    }
  });
});
