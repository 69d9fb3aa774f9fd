/**
 * The local cloud's certificate authority and server certificate: created on first start in the
 * data directory, reused afterwards (devices keep trusting `ca.pem`). RSA-2048 like AWS's ATS
 * chain, because Espruino's TLS offers no ECDSA. Certificates are built with node-forge; keys
 * come from Node's native RSA key generation.
 */
import { generateKeyPair, randomBytes, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';

/** File names of the TLS material in the data directory. */
export const CERT_FILES = {
  ca: 'ca.pem',
  caKey: 'ca-key.pem',
  cert: 'server.pem',
  key: 'server-key.pem',
} as const;

/** The TLS material the server needs, as PEM texts and paths. */
export interface ServerTls {
  /** PEM of the CA devices and clients trust. */
  readonly caPem: string;
  readonly caPath: string;
  /** Server certificate chain (leaf, then CA). */
  readonly certPem: string;
  readonly keyPem: string;
  /** DNS names and IP addresses the server certificate holds. */
  readonly names: readonly string[];
  /** True when this call created the CA (first start). */
  readonly createdCa: boolean;
  /** True when this call issued a new server certificate. */
  readonly issuedServerCert: boolean;
}

const generateRsa = promisify(generateKeyPair);

/** A fresh RSA-2048 key pair (PEM), from Node's native generator. */
export async function rsaKeyPair(): Promise<{ publicKey: string; privateKey: string }> {
  return generateRsa('rsa', {
    modulusLength: 2048,
    publicExponent: 0x10001,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

/** A random positive 128-bit certificate serial number (hex). */
export function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] as number) & 0x7f; // positive
  return bytes.toString('hex');
}

function writePrivate(file: string, text: string): void {
  fs.writeFileSync(file, text, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

/** The names the server certificate must cover for this host and region. */
export function serverNames(host: string, region: string): string[] {
  const names = ['localhost', '127.0.0.1', '::1', `*.iot.${region}.amazonaws.com`];
  if (host !== '0.0.0.0' && host !== '::' && names.indexOf(host) < 0) names.push(host);
  return names;
}

async function createCa(): Promise<{ certPem: string; keyPem: string }> {
  const keys = await rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
  cert.serialNumber = serialNumber();
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + 10 * 365 * 24 * 3600 * 1000);
  const subject = [
    { name: 'commonName', value: 'dormouse local cloud CA' },
    { name: 'organizationName', value: 'dormouse' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privateKey), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privateKey };
}

/** A server certificate for `names` (DNS names and IP addresses) issued by the given CA. */
export async function issueServerCert(caPem: string, caKeyPem: string, names: readonly string[]): Promise<{ certPem: string; keyPem: string }> {
  const keys = await rsaKeyPair();
  const ca = forge.pki.certificateFromPem(caPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
  cert.serialNumber = serialNumber();
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + 825 * 24 * 3600 * 1000);
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(ca.subject.attributes);
  const altNames = names.map((n) => (net.isIP(n) ? { type: 7, ip: n } : { type: 2, value: n }));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    // keyEncipherment: needed for RSA key exchange, the only kind some mbedTLS builds offer.
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(caKeyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privateKey };
}

/** True when two textual IP addresses are the same address (`::1` = `0:0:0:0:0:0:0:1`). */
function sameIp(a: string, b: string): boolean {
  const family = net.isIP(a);
  if (family === 0 || family !== net.isIP(b)) return false;
  const list = new net.BlockList();
  list.addAddress(a, family === 6 ? 'ipv6' : 'ipv4');
  return list.check(b, family === 6 ? 'ipv6' : 'ipv4');
}

/** True when a server certificate still fits: issued by this CA, covering `names`, valid 30+ days. */
function serverCertFits(certPem: string, caPem: string, names: readonly string[], now: number): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
    if (Date.parse(cert.validTo) - now < 30 * 24 * 3600 * 1000) return false;
    const entries = (cert.subjectAltName ?? '').split(', ');
    const dns = entries.filter((e) => e.startsWith('DNS:')).map((e) => e.slice(4));
    const ips = entries.filter((e) => e.startsWith('IP Address:')).map((e) => e.slice(11));
    return names.every((n) => (net.isIP(n) ? ips.some((ip) => sameIp(ip, n)) : dns.indexOf(n) >= 0));
  } catch {
    return false;
  }
}

/**
 * Load the CA and server certificate from `dir`, creating what is missing. The CA is created
 * once and never replaced (devices trust it); the server certificate is re-issued by that CA
 * when it no longer covers the host/region or is about to expire.
 */
export async function loadOrCreateTls(dir: string, host: string, region: string): Promise<ServerTls> {
  fs.mkdirSync(dir, { recursive: true });
  const p = (f: string) => path.join(dir, f);
  let createdCa = false;
  let caPem: string;
  let caKeyPem: string;
  if (fs.existsSync(p(CERT_FILES.ca)) && fs.existsSync(p(CERT_FILES.caKey))) {
    caPem = fs.readFileSync(p(CERT_FILES.ca), 'utf8');
    caKeyPem = fs.readFileSync(p(CERT_FILES.caKey), 'utf8');
  } else {
    const ca = await createCa();
    caPem = ca.certPem;
    caKeyPem = ca.keyPem;
    writePrivate(p(CERT_FILES.caKey), caKeyPem);
    fs.writeFileSync(p(CERT_FILES.ca), caPem);
    createdCa = true;
  }
  const names = serverNames(host, region);
  let issued = false;
  let certPem = fs.existsSync(p(CERT_FILES.cert)) ? fs.readFileSync(p(CERT_FILES.cert), 'utf8') : '';
  let keyPem = fs.existsSync(p(CERT_FILES.key)) ? fs.readFileSync(p(CERT_FILES.key), 'utf8') : '';
  if (createdCa || certPem === '' || keyPem === '' || !serverCertFits(certPem, caPem, names, Date.now())) {
    const leaf = await issueServerCert(caPem, caKeyPem, names);
    certPem = leaf.certPem + caPem;
    keyPem = leaf.keyPem;
    writePrivate(p(CERT_FILES.key), keyPem);
    fs.writeFileSync(p(CERT_FILES.cert), certPem);
    issued = true;
  }
  return { caPem, caPath: p(CERT_FILES.ca), certPem, keyPem, names, createdCa, issuedServerCert: issued };
}

/** True when `servername` (an SNI value) is one of the certificate's DNS names, wildcards included. */
export function sniMatches(servername: string, names: readonly string[]): boolean {
  const s = servername.toLowerCase();
  for (const n of names) {
    if (net.isIP(n)) continue;
    if (n.startsWith('*.')) {
      const suffix = n.slice(1);
      const label = s.slice(0, s.length - suffix.length);
      if (s.endsWith(suffix) && label.length > 0 && label.indexOf('.') < 0) return true;
    } else if (s === n) return true;
  }
  return false;
}
