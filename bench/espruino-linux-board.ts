/**
 * The ESP32 bundle on Espruino's Linux build: what a board has that Linux lacks, doubled in a
 * small ES5 prelude (`Wifi` as a module, `ESP32`), everything else real (interpreter, TLS,
 * dgram, crypto, Storage). Shared by the real-interpreter tests (test/esp32/espruino-real.test.ts)
 * and the `espruino` benchmark, so both run the bundle the same way; and the Storage files a
 * board needs for a local cloud (what flash.sh uploads).
 */
import type { RunningCloud } from '../cloud/index.js';

/** A Wi-Fi network: the one the prelude's `Wifi` double accepts, and what `wifi.json` holds. */
export interface Wifi {
  readonly ssid: string;
  readonly password: string;
}

/** The network the prelude's `Wifi` double accepts. */
export const WIFI: Wifi = { ssid: 'dormouse-lab', password: 'correct horse' };

/** ES5 prelude: doubles of `Wifi` (a module) and `ESP32`; the device files written into Storage once. */
export function prelude(cause: number, files: Record<string, string>): string {
  return `
// The Linux build grows its JsVar pool on demand, and a TLS handshake that coincides with the
// growth trips ASSERT(jsvIsFlatString(v)) in jsvar.c (measured on 2v29). An ESP32 allocates its
// pool once at boot: grow it once here, up front, the same way.
(function () { var junk = []; for (var i = 0; i < 4000; i++) junk.push({ a: i }); })();
var ESP32 = {
  getWakeupCause: function () { return ${cause}; },
  getState: function () { return { sdkVersion: 'linux', freeHeap: 120000, BLE: false, Wifi: true }; },
  deepSleep: function (us) {
    // quit() only stops the event loop once this call returns: make the board fall silent now,
    // as a chip in deep sleep would (no timers, no output, no second sleep).
    if (ESP32.slept) return;
    ESP32.slept = true;
    print('@@memory ' + JSON.stringify(process.memory()));
    print('@@deepSleep ' + us);
    clearTimeout();
    clearInterval();
    console.log = function () {};
    quit();
  }
};
Modules.addCached('Wifi', function () {
  var up = false;
  exports.connect = function (ssid, o, cb) {
    setTimeout(function () {
      if (ssid !== ${JSON.stringify(WIFI.ssid)} || o.password !== ${JSON.stringify(WIFI.password)}) return cb('AUTH_FAIL');
      up = true;
      cb(null);
    }, 20);
  };
  exports.disconnect = function (cb) { up = false; print('@@wifi off'); if (cb) setTimeout(cb, 1); };
  exports.getIP = function () { return up ? { ip: '127.0.0.1' } : {}; };
  exports.getStatus = function () { return up ? { station: 'connected', rssi: -61 } : { station: 'off' }; };
  exports.on = function () {};
  exports.removeAllListeners = function () {};
});
(function () {
  var S = require('Storage');
  var files = ${JSON.stringify(files)};
  for (var name in files) if (S.read(name) === undefined) S.write(name, files[name]);
  print('@@boot cause ${cause}');
})();
`;
}

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
export function deviceFiles(cloud: RunningCloud, wifi: Wifi, o: DeviceFilesOptions = {}): Record<string, string> {
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
