/**
 * `DIR/cloud.json`: how the CLI and the simulator find a running local cloud
 * (`{"endpoint":"127.0.0.1:8443","region":"us-east-1","ca":"ca.pem","ntpPort":1123,"keyId":"AKID…","pid":N}`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DormouseError } from '../src/errors.js';

/** Name of the file in the data directory. */
export const CLOUD_FILE = 'cloud.json';

/** What `cloud.json` holds. */
export interface CloudInfo {
  /** `host:port` of the HTTPS endpoint. */
  readonly endpoint: string;
  readonly region: string;
  /** CA file name, relative to the data directory. */
  readonly ca: string;
  /** SNTP port on the endpoint's host, absent when the responder is off. */
  readonly ntpPort?: number;
  /** Access key id requests must be signed with. */
  readonly keyId: string;
  /** Process id of the cloud. */
  readonly pid: number;
  /** `host:port` of the plain-HTTP twin, when enabled. */
  readonly httpEndpoint?: string;
  /** `host:port` of the mutual-TLS (X.509) listener, when enabled. */
  readonly mtlsEndpoint?: string;
  /** Account id in the resource ARNs of its policies. */
  readonly account?: string;
}

/** Write `cloud.json` atomically (write a temporary file, then rename). */
export function writeCloudInfo(dir: string, info: CloudInfo): void {
  const file = path.join(dir, CLOUD_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

/** Read `cloud.json`, or undefined when there is none. Throws `ECONFIG` when it is malformed. */
export function readCloudInfo(dir: string): CloudInfo | undefined {
  const file = path.join(dir, CLOUD_FILE);
  if (!fs.existsSync(file)) return undefined;
  let o: unknown;
  try {
    o = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new DormouseError('ECONFIG', `${file}: expected JSON written by dormouse cloud, got text that does not parse`);
  }
  const r = (o ?? {}) as Record<string, unknown>;
  if (typeof r.endpoint !== 'string' || typeof r.region !== 'string' || typeof r.ca !== 'string' || typeof r.keyId !== 'string' || typeof r.pid !== 'number') {
    throw new DormouseError('ECONFIG', `${file}: expected fields endpoint, region, ca, keyId (strings) and pid (number)`);
  }
  return r as unknown as CloudInfo;
}

/** Remove `cloud.json` if it names this process. */
export function removeCloudInfo(dir: string, pid: number): void {
  try {
    const info = readCloudInfo(dir);
    if (info !== undefined && info.pid === pid) fs.unlinkSync(path.join(dir, CLOUD_FILE));
  } catch {
    // nothing to remove
  }
}

/** True when a process with this id is alive. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
