import { describe, expect, it } from 'vitest';
import { loadDeviceConfig } from '../../src/config.js';
import type { DeviceConfig } from '../../src/config.js';
import { DormouseError } from '../../src/errors.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const CREDS = JSON.stringify({ akey: 'AKIDEXAMPLE', skey: SECRET });
const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const KEY_PEM = '-----BEGIN PRIVATE KEY-----\nMIIEsecretkeymaterial\n-----END PRIVATE KEY-----\n';

function reader(files: Record<string, string>): (name: string) => string | undefined {
  return (name) => files[name];
}

function load(cfg: unknown, extra: Record<string, string> = {}): DeviceConfig {
  const files: Record<string, string> = { 'aws_credentials.txt': CREDS, ...extra };
  if (cfg !== undefined) files['aws_iot_cfg.txt'] = typeof cfg === 'string' ? cfg : JSON.stringify(cfg);
  return loadDeviceConfig(reader(files));
}

function configError(cfg: unknown, extra: Record<string, string> = {}): string {
  try {
    load(cfg, extra);
  } catch (e) {
    expect(e).toBeInstanceOf(DormouseError);
    expect((e as DormouseError).code).toBe('ECONFIG');
    return (e as DormouseError).message;
  }
  throw new Error('expected ECONFIG');
}

const SEED = { region: 'us-east-1', endpt_prefix: 'abc123' };

describe('device config', () => {
  it('config: the seed files give the AWS endpoint, SigV4 credentials and defaults', () => {
    const c = load(SEED);
    expect(c.region).toBe('us-east-1');
    expect(c.endpoint).toEqual({ scheme: 'https', host: 'abc123-ats.iot.us-east-1.amazonaws.com', port: 443 });
    expect(c.auth).toBe('sigv4');
    expect(c.credentials).toEqual({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET });
    expect(c.ntp).toEqual({ host: 'pool.ntp.org', port: 123 });
    expect(c.heartbeatSeconds).toBe(3600);
    expect(c.thing).toBeUndefined();
    expect(c.warnings).toEqual([]);
  });

  it('config: a session token in aws_credentials.txt is kept', () => {
    const c = load(SEED, { 'aws_credentials.txt': JSON.stringify({ akey: 'AKIDEXAMPLE', skey: SECRET, token: 'TOKEN123' }) });
    expect(c.credentials?.sessionToken).toBe('TOKEN123');
  });

  it('config: every optional field is read', () => {
    const c = load(
      { region: 'eu-west-1', endpoint: 'https://127.0.0.1:8443', thing: 'my:thing', shadow: '$cfg', ca: 'ca.pem', ntp: 'time.example:1123', heartbeat: 600, led: 'D2' },
      { 'ca.pem': CA_PEM },
    );
    expect(c.endpoint).toEqual({ scheme: 'https', host: '127.0.0.1', port: 8443, tls: { ca: CA_PEM } });
    expect(c.thing).toBe('my:thing');
    expect(c.shadow).toBe('$cfg');
    expect(c.ntp).toEqual({ host: 'time.example', port: 1123 });
    expect(c.heartbeatSeconds).toBe(600);
    expect(c.ledPin).toBe('D2');
  });

  it.each([
    ['localhost:8443', { scheme: 'https', host: 'localhost', port: 8443 }],
    ['iot.example.com', { scheme: 'https', host: 'iot.example.com', port: 443 }],
    ['http://localhost:8080/', { scheme: 'http', host: 'localhost', port: 8080 }],
    ['http://localhost', { scheme: 'http', host: 'localhost', port: 80 }],
  ])('config: endpoint %j', (endpoint, expected) => {
    expect(load({ region: 'us-east-1', endpoint }).endpoint).toEqual(expected);
  });

  it('config: x509 auth reads cert.pem + key.pem into endpoint.tls and defaults to port 8443', () => {
    const c = load({ ...SEED, auth: 'x509', ca: 'AmazonRootCA1.pem' }, { 'cert.pem': CA_PEM, 'key.pem': KEY_PEM, 'AmazonRootCA1.pem': CA_PEM, 'aws_credentials.txt': 'unused' });
    expect(c.auth).toBe('x509');
    expect(c.credentials).toBeUndefined();
    expect(c.endpoint.port).toBe(8443);
    expect(c.endpoint.tls).toEqual({ ca: CA_PEM, cert: CA_PEM, key: KEY_PEM });
  });

  it('config: a missing aws_iot_cfg.txt says what it should hold', () => {
    expect(configError(undefined)).toBe('aws_iot_cfg.txt: missing (expected {"region": ..., "endpt_prefix": ...})');
  });

  it.each([['not json at all'], ['[1,2]'], ["{'region':'us-east-1','endpt_prefix':'abc'}"], ['{"region":"us-east-1","endpt_prefix":"abc"} junk'], ['']])(
    'config: aws_iot_cfg.txt that is not a JSON object (%j) is ECONFIG',
    (text) => {
      expect(configError(text)).toMatch(/^aws_iot_cfg\.txt: expected a JSON object like \{"region": "us-east-1", "endpt_prefix": "abc123"\}, got /);
    },
  );

  it.each<[string, unknown, string]>([
    ['region', 42, 'aws_iot_cfg.txt: field "region": expected a string like "us-east-1", got 42'],
    ['region', 'US East', 'aws_iot_cfg.txt: field "region": expected a string like "us-east-1", got "US East"'],
    ['endpt_prefix', 'abc.def', 'aws_iot_cfg.txt: field "endpt_prefix": expected a string like "abc123" (or an "endpoint" field), got "abc.def"'],
    ['endpoint', 'ftp://x', 'aws_iot_cfg.txt: field "endpoint": expected "host[:port]" or "https://host[:port]", got "ftp://x"'],
    ['endpoint', 'host:99999', 'aws_iot_cfg.txt: field "endpoint": expected "host[:port]" or "https://host[:port]", got "host:99999"'],
    ['endpoint', 'https://h/path', 'aws_iot_cfg.txt: field "endpoint": expected "host[:port]" or "https://host[:port]", got "https://h/path"'],
    ['thing', 'my thing', 'aws_iot_cfg.txt: field "thing": expected a thing name (1..128 of [a-zA-Z0-9:_-]), got "my thing"'],
    ['thing', 7, 'aws_iot_cfg.txt: field "thing": expected a thing name (1..128 of [a-zA-Z0-9:_-]), got 7'],
    ['shadow', 'a/b', 'aws_iot_cfg.txt: field "shadow": expected a shadow name (1..64 of [$a-zA-Z0-9:_-]), got "a/b"'],
    ['ca', '../ca.pem', 'aws_iot_cfg.txt: field "ca": expected a file name like "ca.pem", got "../ca.pem"'],
    ['ntp', 'pool.ntp.org:0', 'aws_iot_cfg.txt: field "ntp": expected a server "host[:port]" like "pool.ntp.org", got "pool.ntp.org:0"'],
    ['ntp', 123, 'aws_iot_cfg.txt: field "ntp": expected a server "host[:port]" like "pool.ntp.org", got 123'],
    ['auth', 'iam', 'aws_iot_cfg.txt: field "auth": expected "sigv4" or "x509", got "iam"'],
    ['heartbeat', '600', 'aws_iot_cfg.txt: field "heartbeat": expected whole seconds 1..604800 like 3600, got "600"'],
    ['heartbeat', 0.5, 'aws_iot_cfg.txt: field "heartbeat": expected whole seconds 1..604800 like 3600, got 0.5'],
    ['led', 'D 2', 'aws_iot_cfg.txt: field "led": expected a pin name like "D2" or "LED1", got "D 2"'],
  ])('config: field %s = %j is rejected naming file, field, expected and got', (field, value, message) => {
    expect(configError({ ...SEED, [field]: value })).toBe(message);
  });

  it('config: neither endpt_prefix nor endpoint', () => {
    expect(configError({ region: 'us-east-1' })).toBe(
      'aws_iot_cfg.txt: field "endpt_prefix": expected a string like "abc123" (or an "endpoint" field), got nothing',
    );
  });

  it('config: a CA file named but absent, or not PEM, names that file', () => {
    expect(configError({ ...SEED, ca: 'ca.pem' })).toBe('ca.pem: missing (named by aws_iot_cfg.txt field "ca"; expected a PEM certificate)');
    expect(configError({ ...SEED, ca: 'ca.pem' }, { 'ca.pem': 'hello' })).toBe(
      'ca.pem: expected a PEM certificate (-----BEGIN ...-----), got 5 characters without one',
    );
  });

  it('config: x509 without key.pem names the missing file; a bad key is never quoted', () => {
    expect(configError({ ...SEED, auth: 'x509' }, { 'cert.pem': CA_PEM })).toBe(
      'key.pem: missing (aws_iot_cfg.txt says "auth": "x509"; expected a PEM private key)',
    );
    const m = configError({ ...SEED, auth: 'x509' }, { 'cert.pem': CA_PEM, 'key.pem': 'MIIEsecretkeymaterial' });
    expect(m).toMatch(/^key\.pem: expected a PEM private key/);
    expect(m).not.toContain('secretkeymaterial');
  });

  it('config: unknown fields are ignored but listed in warnings', () => {
    const c = load({ ...SEED, colour: 'red', sleep: 5 });
    expect(c.warnings).toHaveLength(2);
    expect(c.warnings[0]).toContain('aws_iot_cfg.txt: field "colour" is not known (ignored)');
    expect(c.warnings[1]).toContain('"sleep"');
  });

  it('config: a missing aws_credentials.txt says what it should hold', () => {
    const m = configError(SEED, { 'aws_credentials.txt': undefined as unknown as string });
    expect(m).toBe(
      'aws_credentials.txt: missing (expected {"akey": ..., "skey": ...}, or "auth": "x509" in aws_iot_cfg.txt with cert.pem and key.pem)',
    );
  });

  it.each([
    ['not JSON', `akey=AKIDEXAMPLE skey=${SECRET}`],
    ['JSON with junk (Espruino would parse it)', `{"akey":"AKIDEXAMPLE","skey":"${SECRET}"} x`],
    ['skey a number', '{"akey":"AKIDEXAMPLE","skey":12345678}'],
    ['akey missing', `{"skey":"${SECRET}"}`],
    ['skey and akey swapped into one field', `{"akey":"${SECRET}","skey":""}`],
  ])('config: bad aws_credentials.txt (%s) is ECONFIG and never echoes secrets', (_what, text) => {
    const m = configError(SEED, { 'aws_credentials.txt': text });
    expect(m).toMatch(/^aws_credentials\.txt: /);
    expect(m).not.toContain(SECRET);
    expect(m).not.toContain('wJalr');
    expect(m).not.toContain('12345678');
  });
});
