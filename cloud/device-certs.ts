/**
 * Device client certificates for X.509 authentication (AWS IoT's port-8443 mutual TLS): issued
 * by the local cloud's CA, RSA-2048 (Espruino's mbedTLS has no ECDSA), subject CN = the thing
 * name, `clientAuth` only. The registry row in `device-keys.json` (certificate id → thing) is
 * what authorizes it; the CN is for people reading the certificate.
 */
import { createHash, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import forge from 'node-forge';
import { CERT_FILES, rsaKeyPair, serialNumber } from './certs.js';

/** A certificate issued for a device. */
export interface DeviceCertificate {
  /** The leaf certificate (PEM), as `cert.pem` on the device. */
  readonly certPem: string;
  /** Its private key (PKCS#8 PEM), as `key.pem` on the device (secret). */
  readonly keyPem: string;
  /** AWS's certificate id: hex SHA-256 of the DER certificate. */
  readonly certificateId: string;
}

/** Validity of a device certificate, days (bounded by the CA's own expiry). */
export const DEVICE_CERT_DAYS = 5 * 365;

/** AWS's certificate id of a PEM or DER certificate: lower-case hex SHA-256 of its DER bytes. */
export function certificateIdOf(cert: string | Buffer): string {
  const der = typeof cert === 'string' ? new X509Certificate(cert).raw : cert;
  return createHash('sha256').update(der).digest('hex');
}

/** Issue a client certificate for `thing` with the CA in `dataDir` (which must exist). */
export async function issueDeviceCert(dataDir: string, thing: string, now: number = Date.now()): Promise<DeviceCertificate> {
  const caPem = fs.readFileSync(path.join(dataDir, CERT_FILES.ca), 'utf8');
  const caKeyPem = fs.readFileSync(path.join(dataDir, CERT_FILES.caKey), 'utf8');
  const keys = await rsaKeyPair();
  const ca = forge.pki.certificateFromPem(caPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(now - 24 * 3600 * 1000);
  const until = now + DEVICE_CERT_DAYS * 24 * 3600 * 1000;
  cert.validity.notAfter = new Date(Math.min(until, ca.validity.notAfter.getTime()));
  cert.setSubject([
    { name: 'commonName', value: thing },
    { name: 'organizationName', value: 'dormouse device' },
  ]);
  cert.setIssuer(ca.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(caKeyPem), forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  return { certPem, keyPem: keys.privateKey, certificateId: certificateIdOf(certPem) };
}
