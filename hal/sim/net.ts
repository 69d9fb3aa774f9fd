/**
 * The simulated network interface: the laptop's network is always up (a fault plan may later
 * say otherwise), and it reports a plausible Wi-Fi signal strength that wanders a little from
 * wake to wake around a per-device level.
 */
import type { Net, NetInfo } from '../hal.js';

/** Options of {@link createSimNet}. */
export interface SimNetOptions {
  /** Typical RSSI of this device (dBm). */
  readonly rssiDbm: number;
  /** Random numbers in [0, 1) (the wander). */
  readonly random: () => number;
}

/** The simulator's {@link Net}. */
export function createSimNet(o: SimNetOptions): Net {
  return {
    up(_timeoutMs: number): Promise<NetInfo> {
      const rssi = Math.round(o.rssiDbm + (o.random() - 0.5) * 6);
      return Promise.resolve({ ip: '127.0.0.1', rssi: Math.max(-100, Math.min(-20, rssi)) });
    },
    down(): Promise<void> {
      return Promise.resolve();
    },
  };
}
