/**
 * Espruino reports some failures outside the caller's code, as uncaught `InternalError`s: a TLS
 * handshake that mbedTLS rejects raises `mbedtls_ssl_handshake returned -0x2700` in the idle
 * loop (libs/network/network.c), while the socket just closes. The entry catches these
 * (`process.on('uncaughtException')`) and the HTTP client puts the text into its `ETLS` error.
 * Espruino builds without mbedTLS's error strings print only the code; the common ones are named
 * here.
 */

const MBEDTLS_CODES: { readonly [code: string]: string } = {
  '-0x2700': 'server certificate not trusted (not signed by the given CA, or issued for another host name)',
  '-0x2880': 'not enough memory for TLS',
  '-0x7f00': 'not enough memory for TLS',
  '-0x0010': 'not enough memory for TLS',
  '-0x7780': 'the server sent a fatal alert',
  '-0x7280': 'the server closed the connection during the handshake',
  '-0x7200': 'the server sent an invalid TLS record (wrong port, or not TLS?)',
  '-0x7380': 'no cipher suite in common with the server',
  '-0x6980': 'no usable cipher suite (this build offers RSA and DHE-RSA only)',
  '-0x7980': 'bad ServerHello',
};

/** The text of an engine error, with a known mbedTLS code explained. */
export function describeEngineError(text: string): string {
  const m = text.match(/-0x[0-9a-fA-F]+/);
  if (m !== null) {
    const code = m[0].toLowerCase();
    const known = MBEDTLS_CODES[code];
    if (known !== undefined) return `${text}: ${known}`;
  }
  return text;
}
