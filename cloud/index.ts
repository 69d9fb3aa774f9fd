/**
 * The local AWS IoT data plane (`dormouse cloud`), usable in-process by tests, the simulator and
 * `npm start`: `startCloud(options)` creates or reuses the CA, certificates and key in the data
 * directory, opens the store, and serves HTTPS (+ optional HTTP) and SNTP.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { nodeCrypto } from '../hal/sim/crypto.js';
import type { Credentials } from '../src/credentials.js';
import { loadOrCreateTls } from './certs.js';
import { processAlive, readCloudInfo, removeCloudInfo, writeCloudInfo } from './cloud-file.js';
import type { CloudInfo } from './cloud-file.js';
import { CloudFaults } from './faults.js';
import { createHandler } from './handler.js';
import { cloudKeyStore, resolveCredentials } from './keystore.js';
import type { CredentialSource, KeyStore } from './keystore.js';
import { certificateIdOf } from './device-certs.js';
import { startNtp } from './ntp.js';
import type { NtpResponder } from './ntp.js';
import { CLOUD_DEFAULTS, resolveCloudOptions } from './options.js';
import type { CloudOptions, ResolvedCloudOptions } from './options.js';
import { createHttpServer, createHttpsServer, createMtlsServer, listen, shutdown } from './server.js';
import { ShadowService } from './shadows.js';
import { CloudStore } from './store.js';
import { SigV4Verifier } from './sigv4-verify.js';
import { Throttle } from './throttle.js';
import { DormouseError } from '../src/errors.js';

export { CLOUD_DEFAULTS, resolveCloudOptions } from './options.js';
export type { CloudOptions, ResolvedCloudOptions, ThrottleOptions, Durability, RegionCheck } from './options.js';
export { readCloudInfo, CLOUD_FILE } from './cloud-file.js';
export type { CloudInfo } from './cloud-file.js';
export { printHistory } from './history.js';
export type { PrintHistoryOptions } from './history.js';
export { provisionThing } from './provision.js';
export type { ProvisionOptions, ProvisionResult } from './provision.js';
export { CERT_FILES } from './certs.js';
export { CREDENTIALS_FILE, DEVICE_KEYS_FILE } from './keystore.js';
export type { KeyStore, KeyRecord, CertRecord } from './keystore.js';
export { DATA_ACCESS_POLICY, thingPolicy, connectionThingPolicy, parsePolicy, evaluatePolicy } from './policy.js';
export type { Policy, PolicyDocument, DataPlaneAction } from './policy.js';
export type { ExtraKey } from './options.js';
export { ShadowService } from './shadows.js';
export type { ShadowRef } from './shadows.js';
export { CloudStore } from './store.js';
export { CloudFaults, CLOUD_FAULT_DEFAULTS } from './faults.js';
export type { CloudExchange, CloudFaultOptions } from './faults.js';

/** A running local cloud. */
export interface RunningCloud {
  /** `https://127.0.0.1:8443`. */
  readonly url: string;
  /** `http://127.0.0.1:P` of the plain-HTTP twin, when enabled. */
  readonly httpUrl?: string;
  readonly host: string;
  readonly port: number;
  readonly httpPort?: number;
  /** `https://host:P` of the mutual-TLS (X.509) listener, when enabled. */
  readonly mtlsUrl?: string;
  readonly mtlsPort?: number;
  /** SNTP port, undefined when the responder is off. */
  readonly ntpPort?: number;
  /** PEM of the CA clients must trust, and its path (`DIR/ca.pem`). */
  readonly caPem: string;
  readonly caPath: string;
  readonly dataDir: string;
  readonly region: string;
  /** The cloud's own (admin) key pair, allowed every data-plane action. */
  readonly credentials: Credentials;
  /** Every principal it accepts: the admin key, provisioned device keys and certificates. */
  readonly keys: KeyStore;
  readonly credentialSource: CredentialSource;
  /** The one-line banner printed when it accepts requests. */
  readonly banner: string;
  /** Shadows and store, for in-process tools and tests. */
  readonly shadows: ShadowService;
  readonly store: CloudStore;
  readonly options: ResolvedCloudOptions;
  /** Stop serving, close the store, remove `cloud.json`. */
  close(): Promise<void>;
}

/** Data directories served by this process (a directory may have one cloud at a time). */
const openDirs = new Set<string>();

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return net.isIPv6(host) ? `[${host}]` : host;
}

function claimDir(dir: string): void {
  if (openDirs.has(dir)) throw new DormouseError('ECONFIG', `${dir}: expected a data directory no other cloud uses, got one this process already serves`);
  let info: CloudInfo | undefined;
  try {
    info = readCloudInfo(dir);
  } catch {
    info = undefined;
  }
  if (info !== undefined && info.pid !== process.pid && processAlive(info.pid)) {
    throw new DormouseError('ECONFIG', `${dir}: expected a data directory no other cloud uses, got one served by process ${info.pid} (${info.endpoint}); stop it or use --data`);
  }
  openDirs.add(dir);
}

/** Start the local cloud; resolves once it accepts requests. */
export async function startCloud(options: CloudOptions = {}): Promise<RunningCloud> {
  const o = resolveCloudOptions(options);
  fs.mkdirSync(o.dataDir, { recursive: true });
  claimDir(o.dataDir);
  const cleanups: (() => Promise<void> | void)[] = [() => void openDirs.delete(o.dataDir)];
  const undo = async (): Promise<void> => {
    for (const c of cleanups.reverse()) await c();
  };
  try {
    const tlsFiles = await loadOrCreateTls(o.dataDir, o.host, o.region);
    if (tlsFiles.createdCa) o.log(`created a CA in ${tlsFiles.caPath}`);
    const { credentials, source } = resolveCredentials(o.dataDir, o.env, o.credentials);
    const store = new CloudStore(o.dataDir, { durability: o.durability, historyPerShadow: o.historyPerShadow, messagesPerTopic: o.messagesPerTopic });
    cleanups.push(() => store.close());
    const shadows = new ShadowService({ store, limits: o.limits, versionMemoryHours: o.versionMemoryHours });
    const keys = cloudKeyStore({
      dir: o.dataDir,
      admin: credentials,
      ...(o.adminPolicy !== undefined ? { adminPolicy: o.adminPolicy } : {}),
      extra: o.extraKeys.map((k) => ({
        accessKeyId: k.credentials.accessKeyId,
        secretAccessKey: k.credentials.secretAccessKey,
        ...(k.credentials.sessionToken !== undefined ? { sessionToken: k.credentials.sessionToken } : {}),
        policy: k.policy,
        ...(k.thing !== undefined ? { thing: k.thing } : {}),
      })),
      log: o.log,
    });
    const verifier = new SigV4Verifier({
      keys,
      crypto: nodeCrypto(),
      region: o.region,
      regionCheck: o.regionCheck,
      clockSkewMs: o.clockSkewMs,
    });
    const context = {
      verifier,
      keys,
      arnScope: { region: o.region, account: o.account },
      shadows,
      store,
      throttle: new Throttle(o.throttle),
      limits: o.limits,
      maxBodyBytes: o.maxBodyBytes,
      listPageSize: CLOUD_DEFAULTS.listPageSize,
      now: o.now,
      log: o.log,
      logRequests: o.logRequests,
      ...(o.faults !== undefined ? { faults: new CloudFaults(o.faults) } : {}),
    };
    const handler = createHandler(context);
    const serverOptions = { tls: tlsFiles, requireSni: o.requireSni, dhe: o.dhe, headersTimeoutMs: o.headersTimeoutMs, requestTimeoutMs: o.requestTimeoutMs, keepAliveTimeoutMs: o.keepAliveTimeoutMs, now: o.now, log: o.log };
    const httpsServer = createHttpsServer(serverOptions, handler);
    const port = await listen(httpsServer, o.host, o.port);
    cleanups.push(() => shutdown(httpsServer));
    let httpPort: number | undefined;
    if (o.httpPort !== undefined) {
      const s = createHttpServer(serverOptions, handler);
      httpPort = await listen(s, o.host, o.httpPort);
      cleanups.push(() => shutdown(s));
    }
    let mtlsPort: number | undefined;
    if (o.mtlsPort !== undefined) {
      const acceptCert = (raw: Buffer): boolean => keys.findCert(certificateIdOf(raw)) !== undefined;
      const s = createMtlsServer(serverOptions, { acceptCert }, createHandler({ ...context, authMode: 'x509' }));
      mtlsPort = await listen(s, o.host, o.mtlsPort);
      cleanups.push(() => shutdown(s));
    }
    let ntp: NtpResponder | undefined;
    if (o.ntpPort !== false) {
      const responder = await startNtp(o.host, o.ntpPort, o.now, o.log);
      ntp = responder;
      cleanups.push(() => responder.close());
    }
    const host = urlHost(o.host);
    const url = `https://${host}:${port}`;
    const httpUrl = httpPort === undefined ? undefined : `http://${host}:${httpPort}`;
    const mtlsUrl = mtlsPort === undefined ? undefined : `https://${host}:${mtlsPort}`;
    const info: CloudInfo = {
      endpoint: `${host}:${port}`,
      region: o.region,
      ca: 'ca.pem',
      ...(ntp !== undefined ? { ntpPort: ntp.port } : {}),
      keyId: credentials.accessKeyId,
      pid: process.pid,
      ...(httpPort !== undefined ? { httpEndpoint: `${host}:${httpPort}` } : {}),
      ...(mtlsPort !== undefined ? { mtlsEndpoint: `${host}:${mtlsPort}` } : {}),
      account: o.account,
    };
    writeCloudInfo(o.dataDir, info);
    cleanups.push(() => removeCloudInfo(o.dataDir, process.pid));
    const banner =
      `dormouse cloud: ${url} (region ${o.region})  CA ${tlsFiles.caPath}  key ${credentials.accessKeyId} (${source})` +
      (ntp !== undefined ? `  SNTP udp://${host}:${ntp.port}` : '') +
      (mtlsUrl !== undefined ? `  X.509 ${mtlsUrl}` : '') +
      (httpUrl !== undefined ? `  INSECURE plain HTTP ${httpUrl}` : '');
    o.log(banner);
    let closed: Promise<void> | undefined;
    return {
      url,
      ...(httpUrl !== undefined ? { httpUrl } : {}),
      host: o.host,
      port,
      ...(httpPort !== undefined ? { httpPort } : {}),
      ...(mtlsPort !== undefined ? { mtlsPort, mtlsUrl } : {}),
      ...(ntp !== undefined ? { ntpPort: ntp.port } : {}),
      caPem: tlsFiles.caPem,
      caPath: tlsFiles.caPath,
      dataDir: o.dataDir,
      region: o.region,
      credentials,
      keys,
      credentialSource: source,
      banner,
      shadows,
      store,
      options: o,
      close: () => (closed ??= undo()),
    };
  } catch (e) {
    await undo();
    throw e;
  }
}
