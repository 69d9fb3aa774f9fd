/**
 * The Linux board the `espruino` benchmark and the real-interpreter tests share
 * (bench/espruino-linux-board.ts): its device files and prelude fit together.
 */
import { describe, expect, it } from 'vitest';
import type { RunningCloud } from '../../cloud/index.js';
import { deviceFiles, prelude, WIFI } from '../../bench/espruino-linux-board.js';

describe('espruino linux board', () => {
  it('espruino linux board: the device files name the cloud and Wi-Fi, and the prelude seeds them into Storage', () => {
    const cloud = { region: 'us-east-1', port: 4431, ntpPort: 1123, caPem: 'PEM', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } } as unknown as RunningCloud;
    const files = deviceFiles(cloud, WIFI, { thing: 'bench-thing' });
    expect(JSON.parse(files['aws_iot_cfg.txt'] as string)).toMatchObject({ thing: 'bench-thing', endpoint: 'localhost:4431', ntp: 'localhost:1123' });
    expect(JSON.parse(files['wifi.json'] as string)).toEqual({ ssid: WIFI.ssid, password: WIFI.password });
    const text = prelude(4, files);
    expect(text).toContain('getWakeupCause: function () { return 4; }');
    expect(text).toContain('deepSleep');
    expect(text).toContain(JSON.stringify(files));
  });
});
