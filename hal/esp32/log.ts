/**
 * The console on Espruino: one line per message on the serial port, as
 * `<uptime s> <level> <message>`, below a configurable level dropped. Never given secrets.
 */
import type { Log, LogLevel } from '../hal.js';
import { consoleLine } from './espruino.js';

const RANK: { readonly [level: string]: number } = { debug: 0, info: 1, warn: 2, error: 3 };

/** The HAL's {@link Log}: lines below `minLevel` are dropped. */
export function createEsp32Log(minLevel: LogLevel, uptimeMs: () => number): Log {
  const min = RANK[minLevel] as number;
  return {
    write(level: LogLevel, message: string): void {
      if ((RANK[level] as number) < min) return;
      const t = (uptimeMs() / 1000).toFixed(2);
      consoleLine(`${t} ${level} ${message}`);
    },
  };
}
