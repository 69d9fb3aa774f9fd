import { describe, expect, it } from 'vitest';
import { SigV4Signer } from '../../src/sigv4.js';
import { softCrypto } from '../../src/soft-crypto.js';
import { SUITE, headerRecord, headerValue, loadSuite, nodeCrypto } from '../support/sigv4-suite.js';
import type { SuiteCase } from '../support/sigv4-suite.js';

const cases = loadSuite();

function signCase(c: SuiteCase, crypto = nodeCrypto()) {
  const signer = new SigV4Signer({
    crypto,
    region: SUITE.region,
    service: SUITE.service,
    credentials: { accessKeyId: SUITE.accessKeyId, secretAccessKey: SUITE.secretAccessKey, sessionToken: c.sessionToken },
  });
  return signer.sign(
    { method: c.request.method, host: c.host, path: c.request.path, headers: headerRecord(c.request), body: c.request.body },
    { date: SUITE.epochMs, sessionTokenPlacement: c.sessionTokenPlacement },
  );
}

describe('sigv4: AWS test suite', () => {
  it('suite: all 31 cases are found', () => {
    expect(cases.length).toBe(31);
  });

  describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it('canonical request, string to sign and Authorization match the suite', () => {
      const r = signCase(c);
      expect(r.canonicalRequest).toBe(c.creq);
      expect(r.stringToSign).toBe(c.sts);
      expect(r.authorization).toBe(c.authz);
    });

    it('headers to send match the suite signed request', () => {
      const r = signCase(c);
      const got: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.headers)) got[k.toLowerCase()] = v;
      for (const [name] of c.signedRequest.headers) {
        const lower = name.toLowerCase();
        expect(got[lower], `header ${name}`).toBeDefined();
      }
      expect(got['authorization']).toBe(headerValue(c.signedRequest, 'authorization')?.trim());
      if (c.sessionToken !== undefined) expect(got['x-amz-security-token']).toBe(c.sessionToken);
    });

    it('pure-TypeScript crypto signs the same', () => {
      expect(signCase(c, softCrypto()).authorization).toBe(c.authz);
    });
  });
});
