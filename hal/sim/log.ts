/**
 * The simulated console: one line per message, `<uptime s> <level> <message>`, to a sink (the
 * terminal, a test's array), below a minimum level dropped. Never given secrets (the core
 * scrubs them).
 */
import type { Log, LogLevel } from '../hal.js';

/** Levels, lowest first, plus `none`. */
export type SimLogLevel = LogLevel | 'none';

const RANK: Readonly<Record<SimLogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3, none: 4 };

/** True when `v` is a {@link SimLogLevel}. */
export function isSimLogLevel(v: unknown): v is SimLogLevel {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(RANK, v);
}

/** The simulator's {@link Log}. */
export function createSimLog(sink: (level: LogLevel, line: string) => void, minLevel: SimLogLevel, uptimeMs: () => number): Log {
  const min = RANK[minLevel];
  return {
    write(level: LogLevel, message: string): void {
      if ((RANK[level] ?? 0) < min) return;
      sink(level, `${(uptimeMs() / 1000).toFixed(2)} ${level} ${String(message)}`);
    },
  };
}
