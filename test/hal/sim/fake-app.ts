/**
 * A stand-in for dist/app.min.js in the simulator's unit tests: a tiny script that sets the
 * global `dormouse` with a `boot(hal)` whose behaviour a flash file (`mode`) selects, so each test
 * drives the runner without the real firmware.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppBundle } from '../../../hal/sim/app-bundle.js';
import type { AppBundle } from '../../../hal/sim/app-bundle.js';

const SOURCE = `
var dormouse = {
  sourceHash: 'fake-app-hash',
  boot: function (hal) {
    var mode = hal.storage.read('mode') || 'sleep';
    var seen = typeof leaked !== 'undefined';
    leaked = true;
    var env = { process: typeof process, require: typeof require, setTimeout: typeof setTimeout, console: typeof console };
    var n = Number(hal.rtc.read() || '0') + 1;
    hal.rtc.write(String(n));
    var summary = { leakedFromEarlierWake: seen, env: env, rtcCount: n, reason: hal.power.wakeReason(), now: hal.clock.now() };
    if (mode === 'throw') return Promise.reject(new Error('boom'));
    if (mode === 'hang') return new Promise(function () {});
    if (mode === 'no-sleep') return Promise.resolve(summary);
    if (mode === 'watchdog') { hal.watchdog.start(0.1); return new Promise(function () {}); }
    if (mode === 'wait') {
      return new Promise(function (resolve) { hal.clock.setTimer(10000, resolve); })
        .then(function () { return hal.power.deepSleep(7); }).then(function () { return summary; });
    }
    if (mode === 'write-then-wait') {
      hal.storage.write('written', 'before the cut');
      return new Promise(function (resolve, reject) {
        hal.clock.setTimer(60, function () {
          try { hal.storage.write('after', 'x'); resolve(); } catch (e) { reject(e); }
        });
      }).then(function () { return hal.power.deepSleep(7); }).then(function () { return summary; });
    }
    var seconds = Number(hal.storage.read('sleep') || '5');
    return hal.power.deepSleep(seconds).then(function () { return summary; });
  }
};
`;

/** The fake app compiled as the simulator compiles the real one. */
export function fakeApp(): AppBundle {
  const dir = mkdtempSync(join(tmpdir(), 'dormouse-fake-app-'));
  const file = join(dir, 'app.min.js');
  writeFileSync(file, SOURCE);
  return loadAppBundle(file);
}
