import { describe, expect, it } from 'vitest';
import { hostHeader, parseEndpoint, splitHostPort } from '../../src/endpoint.js';
import { DormouseError } from '../../src/errors.js';

describe('endpoint', () => {
  it.each([
    ['abc123-ats.iot.us-east-1.amazonaws.com', undefined, { scheme: 'https', host: 'abc123-ats.iot.us-east-1.amazonaws.com', port: 443 }],
    ['abc123-ats.iot.us-east-1.amazonaws.com', 'x509', { scheme: 'https', host: 'abc123-ats.iot.us-east-1.amazonaws.com', port: 8443 }],
    ['127.0.0.1:8443', undefined, { scheme: 'https', host: '127.0.0.1', port: 8443 }],
    ['https://localhost:9000/', undefined, { scheme: 'https', host: 'localhost', port: 9000 }],
    ['HTTPS://Example.COM', undefined, { scheme: 'https', host: 'Example.COM', port: 443 }],
    ['http://localhost', undefined, { scheme: 'http', host: 'localhost', port: 80 }],
    ['http://localhost', 'x509', { scheme: 'http', host: 'localhost', port: 80 }],
    ['[::1]:8443', undefined, { scheme: 'https', host: '::1', port: 8443 }],
    ['  localhost:1  ', undefined, { scheme: 'https', host: 'localhost', port: 1 }],
  ] as const)('endpoint: %j (auth %s)', (text, auth, expected) => {
    expect(parseEndpoint(text, auth ? { auth } : undefined)).toEqual(expected);
  });

  it.each([[''], ['ftp://host'], ['host:0'], ['host:65536'], ['host:'], ['host:80a'], ['https://h/p'], ['user@host'], ['a b'], ['-bad.example'], ['[::1'], ['host?x']])(
    'endpoint: %j is EINVALID with what was expected and what came',
    (text) => {
      try {
        parseEndpoint(text);
        throw new Error('accepted');
      } catch (e) {
        expect(e).toBeInstanceOf(DormouseError);
        expect((e as DormouseError).code).toBe('EINVALID');
        expect((e as DormouseError).message).toBe(`endpoint: expected "host[:port]" or "https://host[:port]", got ${JSON.stringify(text)}`);
      }
    },
  );

  it('endpoint: tls options are carried', () => {
    expect(parseEndpoint('h', { tls: { ca: 'PEM' } }).tls).toEqual({ ca: 'PEM' });
  });

  it('endpoint: the Host header has the port only when it is not the default', () => {
    expect(hostHeader({ scheme: 'https', host: 'a.example', port: 443 })).toBe('a.example');
    expect(hostHeader({ scheme: 'https', host: 'a.example', port: 8443 })).toBe('a.example:8443');
    expect(hostHeader({ scheme: 'http', host: 'a.example', port: 80 })).toBe('a.example');
    expect(hostHeader({ scheme: 'http', host: 'a.example', port: 443 })).toBe('a.example:443');
    expect(hostHeader({ scheme: 'https', host: '::1', port: 8443 })).toBe('[::1]:8443');
  });

  it('endpoint: splitHostPort', () => {
    expect(splitHostPort('pool.ntp.org')).toEqual({ host: 'pool.ntp.org' });
    expect(splitHostPort('10.0.0.1:1123')).toEqual({ host: '10.0.0.1', port: 1123 });
    expect(splitHostPort('x:y')).toBeUndefined();
  });
});
