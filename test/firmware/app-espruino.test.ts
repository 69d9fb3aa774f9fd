/**
 * The shipped app bundle (dist/app.min.js) running wakes on the real Espruino interpreter, over
 * a small HAL written in plain ES5 inside the interpreter (memory flash and RTC, a canned shadow
 * service, Espruino's SHA256 with a JS HMAC). Skips without ESPRUINO_BIN or without the bundle.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ESPRUINO_BIN, runOnEspruino } from '../support/espruino-bin.js';

/** The bundle under test; `DORMOUSE_APP_BUNDLE` points at another build (e.g. one with different terser settings). */
const BUNDLE = process.env.DORMOUSE_APP_BUNDLE || fileURLToPath(new URL('../../dist/app.min.js', import.meta.url));
const HAVE = ESPRUINO_BIN !== undefined && existsSync(BUNDLE);

/** ES5, run after the bundle: a HAL and three wakes (act, idle, a power cut inside signal + recovery). */
const HARNESS = String.raw`
var TRUE0 = 1736942400000;
var t0 = Date.now();
var off = TRUE0 - t0;
var trusted = TRUE0;
var files = {};
var rtc;
var wakeReason = 'power-on';
var posts = [];
var reported;
var gets = 0;
var blinks = 0;
var cutAtBlink = -1;
function err(code, msg) { var e = new Error(msg); e.code = code; return e; }
function bytes(s) { var a = new Uint8Array(s.length); for (var i = 0; i < s.length; i++) a[i] = s.charCodeAt(i) & 255; return a; }
function sha(d) { return new Uint8Array(require('crypto').SHA256(d)); }
function hmac(k, d) {
  if (k.length > 64) k = sha(k);
  var ip = new Uint8Array(64 + d.length), op = new Uint8Array(64 + 32), i;
  for (i = 0; i < 64; i++) { var b = i < k.length ? k[i] : 0; ip[i] = b ^ 0x36; op[i] = b ^ 0x5c; }
  ip.set(d, 64);
  op.set(sha(ip), 64);
  return sha(op);
}
var desired = { signal: 2, test: 'echo', test_param: 5, sleep: 45, bogus: 1, __proto__x: { a: [1, { b: 2 }] } };
var meta = { signal: { timestamp: 100 }, test: { timestamp: 100 }, test_param: { timestamp: 100 }, sleep: { timestamp: 100 } };
var hal = {
  clock: {
    now: function () { return Math.floor(Date.now() + off); },
    set: function (ms) { off = ms - Date.now(); trusted = ms; },
    trustedSince: function () { return trusted; },
    uptime: function () { return Date.now() - t0; },
    setTimer: function (ms, fn) { var id = setTimeout(fn, ms); return function () { clearTimeout(id); }; }
  },
  net: { up: function () { return Promise.resolve({ ip: '10.0.0.9', rssi: -55 }); }, down: function () { return Promise.resolve(); } },
  http: {
    request: function (req) {
      if (!req.headers['Authorization'] && !req.headers['authorization']) return Promise.reject(err('EHTTP', 'unsigned request'));
      if (req.method === 'GET') {
        gets++;
        var doc = { state: { desired: desired }, metadata: { desired: meta }, version: 7 };
        if (reported) doc.state.reported = reported;
        return Promise.resolve({ status: 200, headers: {}, body: JSON.stringify(doc), bytesOut: 100, bytesIn: 200 });
      }
      posts.push(req.body);
      var rep = JSON.parse(req.body).state.reported;
      if (!reported) reported = {};
      for (var k in rep) reported[k] = rep[k];
      return Promise.resolve({ status: 200, headers: {}, body: '{"state":{},"version":8}', bytesOut: 150, bytesIn: 50 });
    },
    close: function () {}
  },
  udp: { exchange: function () { return Promise.reject(err('ETIMEOUT', 'no datagram')); } },
  crypto: { sha256: sha, hmacSha256: hmac, utf8: bytes, random: function (n) { var a = new Uint8Array(n); for (var i = 0; i < n; i++) a[i] = (i * 37 + 11) & 255; return a; } },
  storage: { read: function (n) { return files[n]; }, write: function (n, d) { files[n] = d; }, remove: function (n) { delete files[n]; } },
  rtc: { read: function () { return rtc; }, write: function (d) { rtc = d; } },
  indicator: { set: function (on) { if (on) { blinks++; if (blinks === cutAtBlink) { rtc = undefined; trusted = undefined; wakeReason = 'power-on'; throw err('EPOWER', 'power cut'); } } } },
  power: { deepSleep: function (s) { print('SLEEP ' + s); wakeReason = 'timer'; return Promise.resolve(); }, wakeReason: function () { return wakeReason; }, batteryVolts: function () { return 3.3; } },
  watchdog: { start: function (s) { print('WATCHDOG ' + s); }, kick: function () {} },
  log: { write: function (level, m) { } },
  device: { id: function () { return 'e5p32'; }, defaultThingName: function () { return 'id-1'; }, engine: 'espruino', memory: function () { var m = process.memory(); return { free: m.free * m.blocksize, total: m.total * m.blocksize }; } }
};
files['aws_iot_cfg.txt'] = '{"region":"us-east-1","endpoint":"http://cloud.test:8080"}';
files['aws_credentials.txt'] = '{"akey":"AKIDEXAMPLE","skey":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}';
function show(s) { print('STATUS ' + s.status); print('REPORT ' + s.report.sent + ' ' + s.report.reason); print('OUTCOMES ' + JSON.stringify(s.outcomes.map(function (o) { return o.key + '=' + o.action; }))); }
dormouse.boot(hal).then(function (s) {
  show(s);
  print('POSTED ' + posts[0]);
  return dormouse.boot(hal);
}).then(function (s) {
  show(s);
  desired.signal = 3; meta.signal = { timestamp: 200 };
  cutAtBlink = blinks + 2;
  return dormouse.boot(hal).then(function () { print('NOT CUT'); }, function (e) { print('CUT ' + e.code); });
}).then(function () {
  return dormouse.boot(hal);
}).then(function (s) {
  show(s);
  print('BLINKS ' + blinks);
  print('DONE');
}, function (e) { print('FAILED ' + e + ' ' + (e && e.stack)); });
`;

describe.skipIf(!HAVE)('boot on the Espruino interpreter (dist/app.min.js)', () => {
  test('acts, idles, survives a power cut inside a handler, exactly once', async () => {
    const bundle = readFileSync(BUNDLE, 'utf8');
    const run = await runOnEspruino(`${bundle}\n${HARNESS}`, { timeoutMs: 60_000 });
    expect(run.uncaught).toEqual([]);
    expect(run.lines).toContain('DONE');
    const lines = run.lines.filter((l) => /^(SLEEP|STATUS|REPORT|OUTCOMES|CUT|NOT CUT|BLINKS|WATCHDOG)/.test(l));
    expect(lines).toEqual([
      'WATCHDOG 30',
      'SLEEP 45',
      'STATUS error: ignored unknown keys: bogus, __proto__x; signal: blinked 2 times; test_param: 5; test echo: echo 5; sleep: 45 s',
      'REPORT true changed',
      'OUTCOMES ["bogus=ignored","__proto__x=ignored","signal=applied","test_param=applied","test=applied","sleep=applied"]',
      'WATCHDOG 30',
      'SLEEP 45',
      'STATUS done: nothing to do',
      'REPORT false nothing-to-report',
      'OUTCOMES []',
      'WATCHDOG 30',
      'CUT EPOWER',
      'WATCHDOG 30',
      'SLEEP 45',
      // the power cut also lost the clock, and this harness has no SNTP server
      'STATUS error: ETIME: no SNTP reply from pool.ntp.org:123 after 3 attempts (ETIMEOUT); signal interrupted (power loss)',
      'REPORT true changed',
      'OUTCOMES ["signal=interrupted"]',
      'BLINKS 4',
    ]);
    const posted = run.lines.find((l) => l.startsWith('POSTED '));
    expect(JSON.parse(posted?.slice(7) ?? '{}')).toMatchObject({
      state: { reported: { signal: 2, test: 'echo', test_param: 5, sleep: 45, device: { fw: '0.1.0', wakes: 1, reset: 'power-on', rssi: -55, battery: 3.3 } } },
    });
  }, 90_000);
});
