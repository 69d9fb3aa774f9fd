/**
 * The device's configuration, read from the seed-shaped files (`aws_iot_cfg.txt`,
 * `aws_credentials.txt`, or `cert.pem` + `key.pem`, and the CA the config names) through a
 * reader (`hal.storage.read` on a device, the file system in the CLI). Every problem is an
 * `ECONFIG` naming the file, the field, what was expected and what came; secret values are never
 * echoed. Engine-neutral and Espruino-safe.
 */
import type { TlsOptions } from '../hal/hal.js';
import type { Credentials } from './credentials.js';
import { parseCredentialsFile } from './credentials.js';
import type { Endpoint } from './endpoint.js';
import { alnumEdges, parseEndpoint, splitHostPort } from './endpoint.js';
import { DormouseError } from './errors.js';
import type { JsonObject } from './json.js';
import { describeValue, isPlainObject, ownKeys } from './json.js';
import { checkShadowName, checkThingName } from './shadow.js';
import { DEFAULTS as WAKE_DEFAULTS } from './wake-options.js';

/** What the device runs with. */
export interface DeviceConfig {
  readonly region: string;
  /** Data endpoint; `tls` holds the CA (and cert/key for X.509). */
  readonly endpoint: Endpoint;
  readonly thing?: string;
  readonly shadow?: string;
  readonly auth: 'sigv4' | 'x509';
  /** Present for SigV4. */
  readonly credentials?: Credentials;
  readonly ntp: { readonly host: string; readonly port: number };
  readonly heartbeatSeconds: number;
  readonly ledPin?: string;
  /** Harmless oddities (unknown fields), to log once; never contain secret values. */
  readonly warnings: readonly string[];
}

/** Reads a named config file; `undefined` when it does not exist. */
export type ConfigReader = (name: string) => string | undefined;

/** File names of the seed layout. */
export const CONFIG_FILES = {
  config: 'aws_iot_cfg.txt',
  credentials: 'aws_credentials.txt',
  cert: 'cert.pem',
  key: 'key.pem',
};

/** Defaults of the optional config fields. */
export const CONFIG_DEFAULTS = { ntp: 'pool.ntp.org', ntpPort: 123, auth: 'sigv4' as 'sigv4' | 'x509' };

const KNOWN = ['region', 'endpt_prefix', 'endpoint', 'thing', 'shadow', 'ca', 'ntp', 'auth', 'heartbeat', 'led'];
const CFG = CONFIG_FILES.config;

function err(message: string): DormouseError {
  return new DormouseError('ECONFIG', message);
}

function fieldErr(field: string, expected: string, got: unknown): DormouseError {
  return err(CFG + ': field "' + field + '": expected ' + expected + ', got ' + describeValue(got));
}

/** Parse a file that must hold one JSON object; `secret` files are never quoted. */
function parseObject(name: string, text: string, expected: string, secret: boolean): JsonObject {
  const t = text.trim();
  let v: unknown;
  // Espruino's JSON.parse accepts junk around an object: require the braces ourselves.
  if (t.charAt(0) === '{' && t.charAt(t.length - 1) === '}') {
    try {
      v = JSON.parse(t);
    } catch (_e) {
      v = undefined;
    }
  }
  if (!isPlainObject(v)) {
    const got = secret ? (t.length + ' characters that are not a JSON object (not shown: the file holds secrets)') : describeValue(t);
    throw err(name + ': expected a JSON object ' + expected + ', got ' + got);
  }
  return v;
}

/** A PEM file named by the config: must exist and hold `-----BEGIN <what>`. Never quoted (keys are secret). */
function readPem(read: ConfigReader, name: string, what: string, namedBy: string): string {
  const text = read(name);
  if (text === undefined) throw err(name + ': missing (' + namedBy + '; expected a PEM ' + what + ')');
  if (text.indexOf('-----BEGIN ') < 0 || text.indexOf(what === 'private key' ? 'PRIVATE KEY-----' : 'CERTIFICATE-----') < 0) {
    throw err(name + ': expected a PEM ' + what + ' (-----BEGIN ...-----), got ' + text.length + ' characters without one');
  }
  return text;
}

function optString(cfg: JsonObject, field: string, expected: string, re: RegExp, max: number): string | undefined {
  const v = cfg[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > max || !re.test(v)) throw fieldErr(field, expected, v);
  return v;
}

/** {@link DeviceConfig} without the credentials: what `aws_iot_cfg.txt` (+ CA, cert, key) says. */
export type IotConfig = Pick<DeviceConfig, 'region' | 'endpoint' | 'thing' | 'shadow' | 'auth' | 'ntp' | 'heartbeatSeconds' | 'ledPin' | 'warnings'>;

/** Load and validate the device configuration. Throws `ECONFIG` (file, field, expected, got). */
export function loadDeviceConfig(read: ConfigReader): DeviceConfig {
  const c = loadIotConfig(read);
  if (c.auth === 'x509') return c;
  return Object.assign({ credentials: loadCredentials(read) }, c);
}

/**
 * Load and validate `aws_iot_cfg.txt` and the PEM files it implies, but not the credentials
 * (the CLI may take them from the environment). Throws `ECONFIG` like {@link loadDeviceConfig}.
 */
export function loadIotConfig(read: ConfigReader): IotConfig {
  const cfgText = read(CFG);
  if (cfgText === undefined) throw err(CFG + ': missing (expected {"region": ..., "endpt_prefix": ...})');
  const cfg = parseObject(CFG, cfgText, 'like {"region": "us-east-1", "endpt_prefix": "abc123"}', false);
  const warnings: string[] = [];
  const keys = ownKeys(cfg);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (KNOWN.indexOf(k) < 0) warnings.push(CFG + ': field "' + k + '" is not known (ignored); known: ' + KNOWN.join(', '));
  }

  const region = cfg['region'];
  if (typeof region !== 'string' || region.length > 32 || !/^[a-z][a-z0-9-]*[0-9]$/.test(region)) {
    throw fieldErr('region', 'a string like "us-east-1"', region);
  }
  const authV = cfg['auth'] === undefined ? CONFIG_DEFAULTS.auth : cfg['auth'];
  if (authV !== 'sigv4' && authV !== 'x509') throw fieldErr('auth', '"sigv4" or "x509"', authV);
  const auth: 'sigv4' | 'x509' = authV;

  const caName = optString(cfg, 'ca', 'a file name like "ca.pem"', /^[a-zA-Z0-9._-]+$/, 28);
  const tlsParts: { ca?: string; cert?: string; key?: string } = {};
  if (caName !== undefined) tlsParts.ca = readPem(read, caName, 'certificate', 'named by ' + CFG + ' field "ca"');
  if (auth === 'x509') {
    const why = CFG + ' says "auth": "x509"';
    tlsParts.cert = readPem(read, CONFIG_FILES.cert, 'certificate', why);
    tlsParts.key = readPem(read, CONFIG_FILES.key, 'private key', why);
  }
  const tls: TlsOptions | undefined = caName !== undefined || auth === 'x509' ? tlsParts : undefined;

  let endpoint: Endpoint;
  const ep = cfg['endpoint'];
  if (ep !== undefined) {
    if (typeof ep !== 'string') throw fieldErr('endpoint', '"host[:port]" or "https://host[:port]"', ep);
    try {
      endpoint = parseEndpoint(ep, { auth, tls });
    } catch (_e) {
      throw fieldErr('endpoint', '"host[:port]" or "https://host[:port]"', ep);
    }
  } else {
    const prefix = cfg['endpt_prefix'];
    if (typeof prefix !== 'string' || prefix.length > 63 || !/^[a-zA-Z0-9-]+$/.test(prefix) || !alnumEdges(prefix)) {
      throw fieldErr('endpt_prefix', 'a string like "abc123" (or an "endpoint" field)', prefix);
    }
    endpoint = parseEndpoint(prefix + '-ats.iot.' + region + '.amazonaws.com', { auth, tls });
  }

  const thing = cfg['thing'];
  if (thing !== undefined) {
    if (typeof thing !== 'string') throw fieldErr('thing', 'a thing name (1..128 of [a-zA-Z0-9:_-])', thing);
    try {
      checkThingName(thing);
    } catch (_e) {
      throw fieldErr('thing', 'a thing name (1..128 of [a-zA-Z0-9:_-])', thing);
    }
  }
  const shadow = cfg['shadow'];
  if (shadow !== undefined) {
    if (typeof shadow !== 'string') throw fieldErr('shadow', 'a shadow name (1..64 of [$a-zA-Z0-9:_-])', shadow);
    try {
      checkShadowName(shadow);
    } catch (_e) {
      throw fieldErr('shadow', 'a shadow name (1..64 of [$a-zA-Z0-9:_-])', shadow);
    }
  }

  let ntp = { host: CONFIG_DEFAULTS.ntp, port: CONFIG_DEFAULTS.ntpPort };
  const ntpV = cfg['ntp'];
  if (ntpV !== undefined) {
    const hp = typeof ntpV === 'string' ? splitHostPort(ntpV) : undefined;
    if (!hp) throw fieldErr('ntp', 'a server "host[:port]" like "pool.ntp.org"', ntpV);
    ntp = { host: hp.host, port: hp.port === undefined ? CONFIG_DEFAULTS.ntpPort : hp.port };
  }

  let heartbeatSeconds = WAKE_DEFAULTS.heartbeatSeconds;
  const hb = cfg['heartbeat'];
  if (hb !== undefined) {
    if (typeof hb !== 'number' || hb !== Math.floor(hb) || hb < 1 || hb > 604800) {
      throw fieldErr('heartbeat', 'whole seconds 1..604800 like 3600', hb);
    }
    heartbeatSeconds = hb;
  }
  const ledPin = optString(cfg, 'led', 'a pin name like "D2" or "LED1"', /^[A-Za-z0-9_]+$/, 16);

  const out: {
    region: string;
    endpoint: Endpoint;
    auth: 'sigv4' | 'x509';
    ntp: { host: string; port: number };
    heartbeatSeconds: number;
    warnings: string[];
    thing?: string;
    shadow?: string;
    ledPin?: string;
  } = { region, endpoint, auth, ntp, heartbeatSeconds, warnings };
  if (thing !== undefined) out.thing = thing as string;
  if (shadow !== undefined) out.shadow = shadow as string;
  if (ledPin !== undefined) out.ledPin = ledPin;
  return out;
}

/**
 * Read `aws_credentials.txt` (`{"akey", "skey", "token"?}`). Throws `ECONFIG` naming the file and
 * field; never a secret value.
 */
export function loadCredentials(read: ConfigReader): Credentials {
  const name = CONFIG_FILES.credentials;
  const text = read(name);
  if (text === undefined) {
    throw err(name + ': missing (expected {"akey": ..., "skey": ...}, or "auth": "x509" in ' + CFG + ' with ' + CONFIG_FILES.cert + ' and ' + CONFIG_FILES.key + ')');
  }
  parseObject(name, text, '{"akey": ..., "skey": ...}', true);
  try {
    return parseCredentialsFile(text);
  } catch (e) {
    const m = e instanceof Error ? e.message : String(e);
    throw err(m.indexOf(name) === 0 ? m : (name + ': ' + m));
  }
}
