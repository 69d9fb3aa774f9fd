/**
 * PEM to DER for Espruino's TLS options. Espruino hands `ca`/`cert`/`key` to mbedTLS as they
 * are: the Linux build's mbedTLS has no PEM parser (a PEM string fails with
 * `mbedtls_x509_crt_parse of 'ca': Invalid format`, measured on 2v29), and a string of 100 chars
 * or fewer is taken as a file name. DER works on every build, so the HAL passes DER: the base64
 * between the first matching BEGIN/END lines, decoded with `atob`. Only the first certificate of
 * a bundle is used (mbedTLS parses one DER certificate per call).
 */
import { halError } from './errors.js';
import { base64ToBytes } from './espruino.js';

const WHITESPACE = /\s/g;
const BASE64 = /^[A-Za-z0-9+\/=]+$/;

/** The DER bytes (8-bit string) of the first PEM block whose label is one of `labels`. */
export function pemToDer(pem: string, field: string, labels: readonly string[]): string {
  if (typeof pem !== 'string') throw halError('ETLS', `tls.${field}: expected PEM text, got ${typeof pem}`);
  for (let i = 0; i < labels.length; i++) {
    const begin = `-----BEGIN ${labels[i]}-----`;
    const end = `-----END ${labels[i]}-----`;
    const b = pem.indexOf(begin);
    if (b < 0) continue;
    const e = pem.indexOf(end, b + begin.length);
    if (e < 0) throw halError('ETLS', `tls.${field}: "${begin}" without its END line`);
    const body = pem.substring(b + begin.length, e).replace(WHITESPACE, '');
    if (body.length < 100 || !BASE64.test(body)) throw halError('ETLS', `tls.${field}: the ${labels[i]} block is not base64 DER`);
    const der = base64ToBytes(body);
    // 100 chars or fewer would be taken as a file name by Espruino.
    if (der.length <= 100) throw halError('ETLS', `tls.${field}: the ${labels[i]} is too short (${der.length} bytes)`);
    return der;
  }
  throw halError('ETLS', `tls.${field}: expected a PEM block "-----BEGIN ${labels.join('/')}-----", found none`);
}

/** Labels accepted for certificates (`ca`, `cert`). */
export const CERT_LABELS: readonly string[] = ['CERTIFICATE'];
/** Labels accepted for private keys. */
export const KEY_LABELS: readonly string[] = ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY'];
