/**
 * The files a board needs in Storage to talk to a local cloud (what flash.sh uploads):
 * `aws_iot_cfg.txt`, `aws_credentials.txt`, `ca.pem`, `wifi.json`, and the optional `board.json`.
 */
import type { EspruinoBoard } from '../support/espruino-doubles/index.js';

export { deviceFiles, type DeviceFilesOptions } from '../../bench/espruino-linux-board.js';

/** Upload `files` into the board's Storage. */
export function uploadAll(board: EspruinoBoard, files: Readonly<Record<string, string>>): void {
  for (const [name, contents] of Object.entries(files)) board.upload(name, contents);
}
