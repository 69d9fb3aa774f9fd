/**
 * TLS of the local cloud: a CA and RSA-2048 server certificate created once and reused, names
 * for localhost/127.0.0.1/*.iot.<region>.amazonaws.com, TLS 1.2 minimum, RSA key exchange kept
 * for mbedTLS clients, and AWS-like SNI checks with --require-sni.
 */
import { execFileSync, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { CERT_FILES } from '../../cloud/index.js';
import { send, startTestCloud, tempDir } from './support/cloud-fixture.js';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Run `openssl s_client` (asynchronously: the server runs in this process) and collect its output. */
function opensslClient(args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const p = spawn('openssl', ['s_client', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => p.kill(), 10_000);
    p.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    p.stdin.end();
  });
}

/** Send a request on an open TLS socket; resolves with the status line, or undefined when the server closes it. */
function statusLine(s: tls.TLSSocket): Promise<string | undefined> {
  return new Promise((resolve) => {
    s.on('error', () => undefined);
    s.write('GET /things/x/shadow HTTP/1.1\r\nHost: x\r\n\r\n');
    s.once('data', (d: Buffer) => {
      resolve(d.toString('latin1').split('\r\n')[0]);
      s.destroy();
    });
    s.once('close', () => resolve(undefined));
  });
}

function connect(port: number, o: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ...o }, () => resolve(s));
    s.once('error', reject);
    s.once('close', () => reject(new Error('closed during handshake')));
  });
}

describe('certificates', () => {
  it('tls: the CA and server certificate are created once and reused across restarts', async () => {
    const dir = tempDir();
    const a = await startTestCloud({ dataDir: dir });
    const ca1 = fs.readFileSync(path.join(dir, CERT_FILES.ca), 'utf8');
    const cert1 = fs.readFileSync(path.join(dir, CERT_FILES.cert), 'utf8');
    expect(a.caPem).toBe(ca1);
    expect(a.caPath).toBe(path.join(dir, 'ca.pem'));
    expect(fs.statSync(path.join(dir, CERT_FILES.caKey)).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, CERT_FILES.key)).mode & 0o777).toBe(0o600);
    await a.close();
    const b = await startTestCloud({ dataDir: dir });
    try {
      expect(fs.readFileSync(path.join(dir, CERT_FILES.ca), 'utf8')).toBe(ca1);
      expect(fs.readFileSync(path.join(dir, CERT_FILES.cert), 'utf8')).toBe(cert1);
      expect((await send(b, { method: 'GET', path: '/things/x/shadow' })).status).toBe(404);
    } finally {
      await b.close();
    }
    // Another region needs another wildcard: a new server certificate from the same CA.
    const c = await startTestCloud({ dataDir: dir, region: 'eu-west-1' });
    try {
      expect(c.caPem).toBe(ca1);
      const leaf = new X509Certificate(fs.readFileSync(path.join(dir, CERT_FILES.cert), 'utf8'));
      expect(leaf.subjectAltName).toContain('DNS:*.iot.eu-west-1.amazonaws.com');
    } finally {
      await c.close();
    }
  });

  it('tls: the server certificate is RSA-2048, chains to ca.pem and names localhost, 127.0.0.1 and the AWS wildcard', async () => {
    const cloud = await startTestCloud();
    try {
      const pem = fs.readFileSync(path.join(cloud.dataDir, CERT_FILES.cert), 'utf8');
      const leaf = new X509Certificate(pem);
      const ca = new X509Certificate(cloud.caPem);
      expect(leaf.publicKey.asymmetricKeyType).toBe('rsa');
      expect(leaf.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
      expect(ca.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
      expect(leaf.checkIssued(ca)).toBe(true);
      expect(leaf.verify(ca.publicKey)).toBe(true);
      expect(ca.ca).toBe(true);
      for (const n of ['DNS:localhost', 'IP Address:127.0.0.1', 'DNS:*.iot.us-east-1.amazonaws.com']) expect(leaf.subjectAltName).toContain(n);
      // A client that checks host names accepts an AWS-shaped endpoint name.
      const s = await connect(cloud.port, { ca: cloud.caPem, servername: 'a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com' });
      expect(s.authorized).toBe(true);
      s.destroy();
    } finally {
      await cloud.close();
    }
  });
});

describe('protocol and ciphers', () => {
  it('tls: TLS 1.1 is refused, TLS 1.2 and 1.3 work', async () => {
    const cloud = await startTestCloud();
    try {
      await expect(connect(cloud.port, { ca: cloud.caPem, servername: 'localhost', minVersion: 'TLSv1', maxVersion: 'TLSv1.1' })).rejects.toBeTruthy();
      for (const v of ['TLSv1.2', 'TLSv1.3'] as const) {
        const s = await connect(cloud.port, { ca: cloud.caPem, servername: 'localhost', minVersion: v, maxVersion: v });
        expect(s.getProtocol()).toBe(v);
        s.destroy();
      }
    } finally {
      await cloud.close();
    }
  });

  it.runIf(hasOpenssl())('tls: RSA key exchange (what mbedTLS without ECC offers) is accepted alongside ECDHE; DHE only when asked, as AWS offers none', async () => {
    const cloud = await startTestCloud();
    const dhe = await startTestCloud({ dhe: true });
    try {
      const refused = await opensslClient(['-connect', `127.0.0.1:${cloud.port}`, '-servername', 'localhost', '-CAfile', cloud.caPath, '-tls1_2', '-cipher', 'DHE-RSA-AES128-GCM-SHA256', '-brief']);
      expect(refused).not.toMatch(/Ciphersuite: DHE/);
      const accepted = await opensslClient(['-connect', `127.0.0.1:${dhe.port}`, '-servername', 'localhost', '-CAfile', dhe.caPath, '-tls1_2', '-cipher', 'DHE-RSA-AES128-GCM-SHA256', '-brief']);
      expect(accepted).toMatch(/Ciphersuite: DHE-RSA-AES128-GCM-SHA256\b/);
      for (const cipher of ['AES128-GCM-SHA256', 'AES128-SHA256', 'AES128-SHA', 'ECDHE-RSA-AES128-GCM-SHA256']) {
        const out = await opensslClient(['-connect', `127.0.0.1:${cloud.port}`, '-servername', 'localhost', '-CAfile', cloud.caPath, '-tls1_2', '-cipher', cipher, '-brief']);
        expect(out, cipher).toMatch(new RegExp(`Ciphersuite: ${cipher}\\b`));
        expect(out, cipher).toContain('Verification: OK');
      }
    } finally {
      await cloud.close();
      await dhe.close();
    }
  });
});

describe('SNI', () => {
  it('tls: with --require-sni, a client without SNI or with a foreign name is refused and told so in the log', async () => {
    const log: string[] = [];
    const cloud = await startTestCloud({ requireSni: true, log: (l) => log.push(l) });
    try {
      // Node sends no SNI when connecting to an IP address without a servername.
      const noSni = await connect(cloud.port, { ca: cloud.caPem, checkServerIdentity: () => undefined }).then(statusLine, () => undefined);
      expect(noSni).toBeUndefined();
      await expect(connect(cloud.port, { ca: cloud.caPem, servername: 'mbed TLS Server 1', checkServerIdentity: () => undefined })).rejects.toBeTruthy();
      expect(log.some((l) => l.includes('sent no SNI'))).toBe(true);
      expect(log.some((l) => l.includes('"mbed TLS Server 1"'))).toBe(true);
      // The server's own names work.
      expect((await send(cloud, { method: 'GET', path: '/things/x/shadow' })).status).toBe(404);
      const aws = await connect(cloud.port, { ca: cloud.caPem, servername: 'abc-ats.iot.us-east-1.amazonaws.com' });
      aws.destroy();
    } finally {
      await cloud.close();
    }
  });

  it('tls: without --require-sni a client without SNI is served, with one hint in the log', async () => {
    const log: string[] = [];
    const cloud = await startTestCloud({ log: (l) => log.push(l) });
    try {
      for (let i = 0; i < 2; i++) {
        const s = await connect(cloud.port, { ca: cloud.caPem, checkServerIdentity: () => undefined });
        expect(await statusLine(s)).toBe('HTTP/1.1 403 Forbidden');
      }
      expect(log.filter((l) => l.includes('no SNI')).length).toBe(1);
    } finally {
      await cloud.close();
    }
  });
});
