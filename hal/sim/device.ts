/**
 * Facts about the simulated device: a stable id derived from its directory (as a chip's serial
 * is fixed), the default thing name (`id-1` unless told), and the engine's memory figures.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import type { Device, MemoryInfo } from '../hal.js';

/** The id of the device whose directory is `dir`: 12 hex digits, like a MAC-based serial. */
export function deviceIdOf(dir: string): string {
  return createHash('sha256').update(resolve(dir)).digest('hex').substring(0, 12);
}

/** The simulator's {@link Device}. */
export function createSimDevice(id: string, thing: string): Device {
  return {
    engine: 'node',
    id: () => id,
    defaultThingName: () => thing,
    memory(): MemoryInfo {
      const h = getHeapStatistics();
      return { free: Math.max(0, h.heap_size_limit - h.used_heap_size), total: h.heap_size_limit };
    },
  };
}
