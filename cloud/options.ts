/**
 * Options of the local cloud, with every default in one place ({@link CLOUD_DEFAULTS}). The CLI
 * flags of `dormouse cloud` map one to one onto these.
 */
import * as path from 'node:path';
import { SHADOW_LIMIT_DEFAULTS } from '../src/shadow-doc.js';
import type { ShadowLimits } from '../src/shadow-doc.js';
import type { Credentials } from '../src/credentials.js';
import type { Policy } from './policy.js';
import type { CloudFaultOptions } from './faults.js';

/** A key given in-process, with its policy (tests, embedders); provisioned keys live in the data directory. */
export interface ExtraKey {
  readonly credentials: Credentials;
  readonly policy: Policy;
  readonly thing?: string;
}

/** Request throttling per thing (AWS: 20 requests/s and 10 in flight). */
export interface ThrottleOptions {
  /** Sustained requests per second per thing (token bucket, burst of the same size). */
  readonly perThingPerSecond: number;
  /** Requests of one thing being handled at the same time. */
  readonly inFlightPerThing: number;
}

/** How hard the store pushes an acknowledged update to disk (see README, "The local cloud"). */
export type Durability =
  /** SQLite WAL with `synchronous=NORMAL`: survives a crash or `kill -9` of the process. */
  | 'process'
  /** WAL with `synchronous=FULL` (fsync per commit): also survives an OS crash or power cut. */
  | 'os';

/** What the region in a request's credential scope must be. */
export type RegionCheck =
  /** Verify with whatever region the client signed for (a device configured for any region works). */
  | 'scope'
  /** Only the cloud's own region, as AWS does (403 `Credential should be scoped to a valid region.`). */
  | 'strict';

/** Everything `startCloud` accepts; all optional, see {@link CLOUD_DEFAULTS}. */
export interface CloudOptions {
  /** Address to listen on. */
  readonly host?: string;
  /** HTTPS port; 0 picks a free one. */
  readonly port?: number;
  /** Also serve the same API over plain HTTP on this port (insecure; for memory-starved boards). */
  readonly httpPort?: number;
  /** SNTP responder port on {@link host}; 0 picks a free one, `false` disables it. */
  readonly ntpPort?: number | false;
  /**
   * Also listen for mutual TLS (X.509 client certificates, AWS IoT's port 8443) on this port; 0
   * picks a free one; undefined (default): no such listener.
   */
  readonly mtlsPort?: number;
  /** The account id in resource ARNs of policies (`arn:aws:iot:REGION:ACCOUNT:thing/…`). */
  readonly account?: string;
  /** The admin key's policy (default: `AWSIoTDataAccess`-like, everything allowed). */
  readonly adminPolicy?: Policy;
  /** More keys with their policies, in-process. */
  readonly extraKeys?: readonly ExtraKey[];
  /** Directory of the CA, certificates, credentials, database and `cloud.json`. */
  readonly dataDir?: string;
  /** The region the cloud claims to be (certificate names, `cloud.json`, strict region check). */
  readonly region?: string;
  /** Region check of signatures. */
  readonly regionCheck?: RegionCheck;
  /** Refuse TLS clients that send no SNI or a name that is not the server's (as AWS does). */
  readonly requireSni?: boolean;
  /** Also offer DHE-RSA cipher suites (AWS IoT does not; off by default). */
  readonly dhe?: boolean;
  /** The key pair requests must be signed with; default: the environment's, else `DIR/aws_credentials.txt`. */
  readonly credentials?: Credentials;
  /** Environment to read `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` from. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Allowed clock skew of a signature, in ms (AWS: 5 minutes). */
  readonly clockSkewMs?: number;
  /** Shadow document limits. */
  readonly limits?: Partial<ShadowLimits>;
  /** Largest request body in bytes (AWS's publish limit, 128 KB); larger ones get 413. */
  readonly maxBodyBytes?: number;
  /** Throttling, or `false` for none (load tests). */
  readonly throttle?: Partial<ThrottleOptions> | false;
  /** Messages kept per topic (newest first out). */
  readonly messagesPerTopic?: number;
  /** History entries kept per shadow (oldest dropped). */
  readonly historyPerShadow?: number;
  /** Durability of acknowledged updates. */
  readonly durability?: Durability;
  /** Hours a deleted shadow keeps its version numbering (AWS: 48). */
  readonly versionMemoryHours?: number;
  /** Time for a client to send its request headers (slowloris guard), ms. */
  readonly headersTimeoutMs?: number;
  /** Time for a whole request (headers and body), ms. */
  readonly requestTimeoutMs?: number;
  /** Idle time of a kept-alive connection, ms. */
  readonly keepAliveTimeoutMs?: number;
  /** Where the server writes its log lines (one line each, no newline). Default: nowhere. */
  readonly log?: (line: string) => void;
  /** Log one line per request. */
  readonly logRequests?: boolean;
  /** The server's clock (epoch ms); tests move it. */
  readonly now?: () => number;
  /** Fault injection (chaos runs, `--faults FILE`); default none. */
  readonly faults?: CloudFaultOptions;
}

/** The defaults of {@link CloudOptions}. */
export const CLOUD_DEFAULTS = {
  host: '127.0.0.1',
  port: 8443,
  ntpPort: 1123,
  /** The mutual-TLS port `--x509` turns on. */
  mtlsPort: 8444,
  account: '000000000000',
  dataDir: path.join('.dormouse', 'cloud'),
  region: 'us-east-1',
  regionCheck: 'scope' as RegionCheck,
  requireSni: false,
  dhe: false,
  clockSkewMs: 5 * 60 * 1000,
  maxBodyBytes: 128 * 1024,
  throttle: { perThingPerSecond: 20, inFlightPerThing: 10 } as ThrottleOptions,
  messagesPerTopic: 100,
  historyPerShadow: 1000,
  durability: 'process' as Durability,
  versionMemoryHours: 48,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  logRequests: false,
  limits: SHADOW_LIMIT_DEFAULTS,
  /** Page size of ListNamedShadowsForThing when the request gives none. */
  listPageSize: 25,
} as const;

/** {@link CloudOptions} with every default filled in. */
export interface ResolvedCloudOptions {
  readonly host: string;
  readonly port: number;
  readonly httpPort: number | undefined;
  readonly ntpPort: number | false;
  readonly mtlsPort: number | undefined;
  readonly account: string;
  readonly adminPolicy: Policy | undefined;
  readonly extraKeys: readonly ExtraKey[];
  readonly dataDir: string;
  readonly region: string;
  readonly regionCheck: RegionCheck;
  readonly requireSni: boolean;
  readonly dhe: boolean;
  readonly credentials: Credentials | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clockSkewMs: number;
  readonly limits: ShadowLimits;
  readonly maxBodyBytes: number;
  readonly throttle: ThrottleOptions | false;
  readonly messagesPerTopic: number;
  readonly historyPerShadow: number;
  readonly durability: Durability;
  readonly versionMemoryHours: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly log: (line: string) => void;
  readonly logRequests: boolean;
  readonly now: () => number;
  readonly faults: CloudFaultOptions | undefined;
}

/** Fill in the defaults; `cwd` anchors a relative data directory. */
export function resolveCloudOptions(o: CloudOptions, cwd: string = process.cwd()): ResolvedCloudOptions {
  const d = CLOUD_DEFAULTS;
  return {
    host: o.host ?? d.host,
    port: o.port ?? d.port,
    httpPort: o.httpPort,
    ntpPort: o.ntpPort ?? d.ntpPort,
    mtlsPort: o.mtlsPort,
    account: o.account ?? d.account,
    adminPolicy: o.adminPolicy,
    extraKeys: o.extraKeys ?? [],
    dataDir: path.resolve(cwd, o.dataDir ?? d.dataDir),
    region: o.region ?? d.region,
    regionCheck: o.regionCheck ?? d.regionCheck,
    requireSni: o.requireSni ?? d.requireSni,
    dhe: o.dhe ?? d.dhe,
    credentials: o.credentials,
    env: o.env ?? process.env,
    clockSkewMs: o.clockSkewMs ?? d.clockSkewMs,
    limits: { ...d.limits, ...(o.limits ?? {}) },
    maxBodyBytes: o.maxBodyBytes ?? d.maxBodyBytes,
    throttle: o.throttle === false ? false : { ...d.throttle, ...(o.throttle ?? {}) },
    messagesPerTopic: o.messagesPerTopic ?? d.messagesPerTopic,
    historyPerShadow: o.historyPerShadow ?? d.historyPerShadow,
    durability: o.durability ?? d.durability,
    versionMemoryHours: o.versionMemoryHours ?? d.versionMemoryHours,
    headersTimeoutMs: o.headersTimeoutMs ?? d.headersTimeoutMs,
    requestTimeoutMs: o.requestTimeoutMs ?? d.requestTimeoutMs,
    keepAliveTimeoutMs: o.keepAliveTimeoutMs ?? d.keepAliveTimeoutMs,
    log: o.log ?? (() => undefined),
    logRequests: o.logRequests ?? d.logRequests,
    now: o.now ?? Date.now,
    faults: o.faults,
  };
}
