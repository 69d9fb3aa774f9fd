/**
 * The files a board needs in Storage to talk to a local cloud (what flash.sh uploads):
 * `aws_iot_cfg.txt`, `aws_credentials.txt`, `ca.pem`, `wifi.json`, and the optional `board.json`.
 */
import type { RunningCloud } from '../../cloud/index.js';
import type { EspruinoBoard } from '../support/espruino-doubles/index.js';

/** Options of {@link deviceFiles}. */
export interface DeviceFilesOptions {
  /** Host name the device uses for the cloud (mbedTLS checks DNS names only: `localhost`). */
  readonly host?: string;
  readonly thing?: string;
  /** Use the cloud's plain-HTTP twin instead of HTTPS. */
  readonly plainHttp?: boolean;
  /** Extra config fields. */
  readonly extra?: Readonly<Record<string, unknown>>;
  /** `board.json` contents; default: no boot grace period (tests need no time to reflash). */
  readonly board?: Readonly<Record<string, unknown>>;
}

/** The device files for `cloud`, as name → contents. */
export function deviceFiles(cloud: RunningCloud, wifi: { ssid: string; password: string }, o: DeviceFilesOptions = {}): Record<string, string> {
  const host = o.host ?? 'localhost';
  const cfg: Record<string, unknown> = {
    region: cloud.region,
    endpoint: o.plainHttp ? `http://${host}:${cloud.httpPort}` : `${host}:${cloud.port}`,
    ca: 'ca.pem',
    ntp: `${host}:${cloud.ntpPort}`,
    auth: 'sigv4',
    ...(o.thing !== undefined ? { thing: o.thing } : {}),
    ...o.extra,
  };
  return {
    'aws_iot_cfg.txt': JSON.stringify(cfg),
    'aws_credentials.txt': JSON.stringify({ akey: cloud.credentials.accessKeyId, skey: cloud.credentials.secretAccessKey }),
    'ca.pem': cloud.caPem,
    'wifi.json': JSON.stringify(wifi),
    'board.json': JSON.stringify(o.board ?? { bootGraceMs: 0 }),
  };
}

/** Upload `files` into the board's Storage. */
export function uploadAll(board: EspruinoBoard, files: Readonly<Record<string, string>>): void {
  for (const [name, contents] of Object.entries(files)) board.upload(name, contents);
}
