/**
 * Wi-Fi on an ESP32 under Espruino (`require('Wifi')`, libs/network/esp32/jswrap_esp32_network.c).
 * `up` joins the network named in `wifi.json` (`{"ssid": "...", "password": "..."}`, uploaded to
 * Storage by flash.sh) with a timeout. `Wifi.connect` calls back after DHCP with `null` or a
 * reason string; it keeps retrying on its own otherwise, so the timeout is ours, and the last
 * `disconnected` reason (e.g. `NO_AP_FOUND`, `AUTH_FAIL`) goes into the error. `down` turns the
 * station off before deep sleep.
 */
import type { Net, NetInfo } from '../hal.js';
import { halError, thrownText } from './errors.js';
import { after, storageModule, wifiModule } from './espruino.js';

/** Options of {@link createEsp32Net}. */
export interface Esp32NetOptions {
  /** Storage file with the Wi-Fi credentials. */
  readonly wifiFile: string;
  /** How long `down` waits for `Wifi.disconnect` to call back. */
  readonly downTimeoutMs: number;
}

/** Defaults of {@link Esp32NetOptions}. */
export const NET_DEFAULTS: Esp32NetOptions = { wifiFile: 'wifi.json', downTimeoutMs: 500 };

interface WifiConfig {
  readonly ssid: string;
  readonly password?: string;
}

function readWifiConfig(file: string): WifiConfig {
  let raw: string | undefined;
  try {
    raw = storageModule().read(file);
  } catch (e) {
    throw halError('ENET', `${file}: could not be read: ${thrownText(e)}`);
  }
  if (raw === undefined) throw halError('ENET', `${file}: missing; expected {"ssid": "...", "password": "..."} in Storage (flash.sh writes it)`);
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (_e) {
    throw halError('ENET', `${file}: not JSON; expected {"ssid": "...", "password": "..."}`);
  }
  // Espruino's JSON.parse is lenient: check the shape ourselves.
  if (v === null || typeof v !== 'object' || v instanceof Array) throw halError('ENET', `${file}: expected an object {"ssid": "...", "password": "..."}`);
  const o = v as { ssid?: unknown; password?: unknown };
  if (typeof o.ssid !== 'string' || o.ssid.length === 0 || o.ssid.length > 32) {
    throw halError('ENET', `${file}: field "ssid": expected a string of 1..32 bytes, got ${o.ssid === undefined ? 'nothing' : typeof o.ssid}`);
  }
  if (o.password !== undefined && (typeof o.password !== 'string' || o.password.length > 64)) {
    throw halError('ENET', `${file}: field "password": expected a string of at most 64 bytes`);
  }
  return o.password === undefined ? { ssid: o.ssid } : { ssid: o.ssid, password: o.password };
}

/** The HAL's {@link Net}: Wi-Fi station mode. */
export function createEsp32Net(options?: Partial<Esp32NetOptions>): Net {
  const o: Esp32NetOptions = {
    wifiFile: options && options.wifiFile !== undefined ? options.wifiFile : NET_DEFAULTS.wifiFile,
    downTimeoutMs: options && options.downTimeoutMs !== undefined ? options.downTimeoutMs : NET_DEFAULTS.downTimeoutMs,
  };

  function up(timeoutMs: number): Promise<NetInfo> {
    off = false;
    return new Promise<NetInfo>((resolve, reject) => {
      const cfg = readWifiConfig(o.wifiFile);
      const wifi = wifiModule();
      let done = false;
      let lastReason = '';
      const finish = (err: Error | undefined, info?: NetInfo): void => {
        if (done) return;
        done = true;
        cancel();
        try {
          wifi.removeAllListeners('disconnected');
          wifi.removeAllListeners('dhcp_timeout');
        } catch (_e) { /* listeners are best effort */ }
        if (err !== undefined) reject(err);
        else resolve(info as NetInfo);
      };
      const cancel = after(timeoutMs, () => {
        try { wifi.disconnect(); } catch (_e) { /* already off */ }
        finish(halError('ENET', `Wi-Fi: no connection to "${cfg.ssid}" within ${timeoutMs} ms${lastReason !== '' ? ` (last reason: ${lastReason})` : ''}`));
      });
      wifi.on('disconnected', (d) => {
        if (d && typeof d.msg === 'string') lastReason = d.msg;
        else if (d && typeof d.reason === 'string') lastReason = `reason ${d.reason}`;
      });
      wifi.on('dhcp_timeout', () => {
        finish(halError('ENET', `Wi-Fi: joined "${cfg.ssid}" but DHCP gave no address`));
      });
      const opts: { password?: string } = {};
      if (cfg.password !== undefined) opts.password = cfg.password;
      try {
        wifi.connect(cfg.ssid, opts, (err) => {
          if (err) {
            finish(halError('ENET', `Wi-Fi: joining "${cfg.ssid}" failed: ${err}`));
            return;
          }
          const info: { ip?: string; rssi?: number } = {};
          try {
            const ip = wifi.getIP();
            if (ip && typeof ip.ip === 'string') info.ip = ip.ip;
            const st = wifi.getStatus();
            if (st && typeof st.rssi === 'number') info.rssi = st.rssi;
          } catch (_e) { /* details are optional */ }
          finish(undefined, info);
        });
      } catch (e) {
        finish(halError('ENET', `Wi-Fi: connect threw: ${thrownText(e)}`));
      }
    });
  }

  // Set once the radio was turned off, cleared by `up`: the app and the sleep hook both call `down`.
  let off = false;

  function down(): Promise<void> {
    if (off) return Promise.resolve();
    off = true;
    return new Promise<void>((resolve) => {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        cancel();
        resolve();
      };
      const cancel = after(o.downTimeoutMs, finish);
      try {
        wifiModule().disconnect(finish);
      } catch (_e) {
        finish();
      }
    });
  }

  return { up, down };
}
