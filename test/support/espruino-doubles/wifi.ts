/**
 * A double of the ESP32 `Wifi` module (libs/network/esp32/jswrap_esp32_network.c): `connect`
 * calls back after "DHCP" with `null`, or with the reason of the last disconnection once its
 * retries are spent (`AUTH_FAIL` for a wrong password); an absent access point only fires
 * `disconnected` events ({ssid, mac, reason, msg: 'NO_AP_FOUND'}) and never calls back.
 */

/** The access point the board can see, and how it behaves. */
export interface AccessPoint {
  readonly ssid: string;
  readonly password: string;
  /** Milliseconds until DHCP completes. */
  readonly joinMs: number;
  /** `dhcp`: joins but never gets an address (`dhcp_timeout`). */
  readonly fault?: 'absent' | 'dhcp';
  readonly rssi: number;
  readonly ip: string;
}

/** Default access point of the doubles. */
export const DEFAULT_AP: AccessPoint = { ssid: 'dormouse-lab', password: 'correct horse', joinMs: 30, rssi: -58, ip: '192.168.4.23' };

/** `require('Wifi')`. */
export function createWifiModule(
  ap: AccessPoint,
  queue: (fn: () => void, ms?: number) => void,
  state: { connected: boolean; connects: number; disconnects: number },
  clone: <T>(v: T) => T,
): Record<string, unknown> {
  const listeners: Record<string, ((...a: unknown[]) => void)[]> = {};
  const fire = (event: string, details?: unknown): void => {
    for (const fn of listeners[event] || []) fn(clone(details));
  };
  return {
    connect(ssid: string, options: { password?: string } | undefined, cb?: (err: string | null) => void): void {
      state.connects++;
      const password = options && typeof options.password === 'string' ? options.password : '';
      if (ssid !== ap.ssid || ap.fault === 'absent') {
        // Retries forever, reporting each failure; the callback is never called.
        for (let i = 1; i <= 3; i++) queue(() => fire('disconnected', { ssid, mac: '00:00:00:00:00:00', reason: '201', msg: 'NO_AP_FOUND' }), ap.joinMs * i);
        return;
      }
      if (password !== ap.password) {
        queue(() => {
          fire('disconnected', { ssid, mac: '24:0a:c4:00:00:01', reason: '202', msg: 'AUTH_FAIL' });
          if (cb) cb('AUTH_FAIL');
        }, ap.joinMs);
        return;
      }
      if (ap.fault === 'dhcp') {
        queue(() => fire('dhcp_timeout'), ap.joinMs);
        return;
      }
      queue(() => {
        state.connected = true;
        fire('connected', { ssid, mac: '24:0a:c4:00:00:01', channel: 6 });
        if (cb) cb(null);
      }, ap.joinMs);
    },
    disconnect(cb?: () => void): void {
      state.disconnects++;
      state.connected = false;
      if (cb) queue(cb);
    },
    getIP(): unknown {
      return clone(state.connected ? { ip: ap.ip, netmask: '255.255.255.0', gw: '192.168.4.1', mac: '30:ae:a4:11:22:33' } : { mac: '30:ae:a4:11:22:33' });
    },
    getStatus(): unknown {
      return clone(state.connected ? { station: 'connected', ap: 'disabled', mode: 'sta', ssid: ap.ssid, rssi: ap.rssi } : { station: 'NO_AP_FOUND', ap: 'disabled', mode: 'off' });
    },
    getDetails(): unknown {
      // The real one includes the password: the HAL must never log this object.
      return clone(state.connected ? { status: 'connected', ssid: ap.ssid, password: ap.password } : { status: 'NO_AP_FOUND' });
    },
    on(event: string, fn: (...a: unknown[]) => void): void {
      (listeners[event] ||= []).push(fn);
    },
    removeAllListeners(event?: string): void {
      if (event === undefined) for (const k of Object.keys(listeners)) delete listeners[k];
      else delete listeners[event];
    },
  };
}
