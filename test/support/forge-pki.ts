/**
 * Throwaway PKI for tests: a CA and certificates it issues (RSA 2048, node-forge), as PEM.
 * Nothing here is secret or reused: every suite makes its own.
 */
import forge from 'node-forge';

/** A certificate with its key, as PEM, plus the forge objects to issue more (for a CA). */
export interface TestCert {
  readonly cert: string;
  readonly key: string;
  readonly forgeCert: forge.pki.Certificate;
  readonly forgeKey: forge.pki.rsa.PrivateKey;
}

/** What to put in a leaf certificate. */
export interface LeafOptions {
  readonly commonName: string;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  /** Client certificate (extKeyUsage clientAuth) instead of a server one. */
  readonly client?: boolean;
}

let serial = 1;

function nextSerial(): string {
  serial += 1;
  return (Date.now() * 1000 + serial).toString(16).padStart(16, '0');
}

function validity(cert: forge.pki.Certificate): void {
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600 * 1000);
}

/** A self-signed CA. */
export function makeCa(commonName = 'dormouse test CA'): TestCert {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = nextSerial();
  validity(cert);
  const attrs = [{ name: 'commonName', value: commonName }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(keys.privateKey), forgeCert: cert, forgeKey: keys.privateKey };
}

/** A leaf certificate issued by `ca`. */
export function issueCert(ca: TestCert, o: LeafOptions): TestCert {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = nextSerial();
  validity(cert);
  cert.setSubject([{ name: 'commonName', value: o.commonName }]);
  cert.setIssuer(ca.forgeCert.subject.attributes);
  const altNames: { type: number; value?: string; ip?: string }[] = [];
  for (const d of o.dnsNames ?? []) altNames.push({ type: 2, value: d });
  for (const ip of o.ipAddresses ?? []) altNames.push({ type: 7, ip });
  const ext: object[] = [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    o.client ? { name: 'extKeyUsage', clientAuth: true } : { name: 'extKeyUsage', serverAuth: true },
  ];
  if (altNames.length) ext.push({ name: 'subjectAltName', altNames });
  cert.setExtensions(ext);
  cert.sign(ca.forgeKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(keys.privateKey), forgeCert: cert, forgeKey: keys.privateKey };
}

/** A CA and a server certificate for `localhost` and 127.0.0.1 (the usual test server). */
export function localhostPki(): { ca: TestCert; server: TestCert } {
  const ca = makeCa();
  const server = issueCert(ca, { commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  return { ca, server };
}
