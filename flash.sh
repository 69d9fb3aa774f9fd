#!/usr/bin/env bash
# Flash dormouse onto an ESP32 running Espruino: the device files into Storage, and the bundle
# (dist/esp32.min.js) as .bootcde, with the `espruino` CLI (npm package `espruino`).
#
# usage: ./flash.sh [options] [DIR]
#
#   DIR               the device files (default: device/):
#                       aws_iot_cfg.txt        region, endpoint, thing, "ca", "auth", "ntp"
#                       aws_credentials.txt    {"akey": ..., "skey": ...}   (auth "sigv4", the default)
#                       cert.pem + key.pem     the thing's certificate      (auth "x509")
#                       the CA file named by aws_iot_cfg.txt's "ca" (e.g. ca.pem)
#                       wifi.json              {"ssid": ..., "password": ...}
#                       board.json             optional: {"ledPin": "D2", "bootGraceMs": 5000, ...}
#                     `dormouse cloud provision THING --out DIR` writes the first three for the
#                     local cloud; add wifi.json yourself.
#   -p, --port PORT   serial port, e.g. /dev/ttyUSB0 (or PORT=...); `npx espruino --list` lists them
#   -b, --baud BAUD   baud rate (or BAUD=...; default 115200)
#   --dry-run         connect to nothing: write what would be sent (espruino -n -o) and summarise it
#   -o, --out FILE    with --dry-run, where to write it (default build/upload.js; "-" prints it)
#   --monitor         after the upload, stay on the board's console (Ctrl-C twice to leave)
#   --no-build        upload the bundle as it is (default: npm run build:bundles first)
#   --bundle FILE     upload FILE instead of dist/esp32.min.js
#   -h, --help        this text
#
# Every file is checked before anything is sent; a missing or malformed one stops the upload
# with the file, the field, what was expected and what was found (secrets are never printed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIR=""
PORT="${PORT:-}"
BAUD="${BAUD:-115200}"
DRY_RUN=0
OUT=""
MONITOR=0
BUILD=1
BUNDLE="$ROOT/dist/esp32.min.js"
BOARD_JSON="$ROOT/firmware/espruino/ESP32.board.json"

die() { echo "flash.sh: $*" >&2; exit 1; }
usage() { sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    -p|--port) PORT="${2:?--port needs a serial port}"; shift 2 ;;
    -b|--baud) BAUD="${2:?--baud needs a number}"; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    -o|--out) OUT="${2:?--out needs a file name}"; shift 2 ;;
    --monitor) MONITOR=1; shift ;;
    --no-build) BUILD=0; shift ;;
    --bundle) BUNDLE="${2:?--bundle needs a file}"; BUILD=0; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) die "unknown option '$1' (see --help)" ;;
    *) [ -z "$DIR" ] || die "expected one directory, got '$DIR' and '$1'"; DIR="$1"; shift ;;
  esac
done
DIR="${DIR:-device}"
case "$BAUD" in ''|*[!0-9]*) die "--baud: expected a number like 115200, got '$BAUD'" ;; esac
[ "$DRY_RUN" = 1 ] || [ -n "$PORT" ] || die "no serial port: give --port /dev/ttyUSB0 (or PORT=...); 'npx espruino --list' lists them. Or use --dry-run."
[ "$DRY_RUN" = 0 ] || [ "$MONITOR" = 0 ] || die "--monitor needs a board: it cannot go with --dry-run"
[ -d "$DIR" ] || die "$DIR: no such directory (expected the device files: aws_iot_cfg.txt, aws_credentials.txt, the CA, wifi.json)"
command -v node >/dev/null || die "node is needed (the checks and the espruino CLI run on it)"

# --- check the device files; prints the Storage files to upload, one per line ---------------
FILES="$(node - "$DIR" "$ROOT" <<'NODE'
const fs = require('fs');
const path = require('path');
const [dir, root] = process.argv.slice(2);
const problems = [];
const warnings = [];
const bad = (m) => problems.push(m);
const file = (n) => path.join(dir, n);
const exists = (n) => fs.existsSync(file(n)) && fs.statSync(file(n)).isFile();
const text = (n) => fs.readFileSync(file(n), 'utf8');
const describe = (v) => (v === undefined ? 'nothing' : JSON.stringify(v).slice(0, 40));
function json(name, secret) {
  if (!exists(name)) return undefined;
  const t = text(name).trim();
  try {
    const v = JSON.parse(t);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v;
  } catch (e) { /* reported below */ }
  bad(`${name}: expected a JSON object, got ${secret ? `${t.length} characters that are not one (not shown: the file holds secrets)` : describe(t)}`);
  return null;
}
function pem(name, what, why) {
  if (!exists(name)) return bad(`${name}: missing (${why})`);
  const t = text(name);
  const re = what === 'certificate' ? /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/ : /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----[\s\S]+-----END ([A-Z]+ )?PRIVATE KEY-----/;
  if (!re.test(t)) bad(`${name}: expected a PEM ${what} (-----BEGIN ${what === 'certificate' ? 'CERTIFICATE' : 'PRIVATE KEY'}-----), got ${what === 'certificate' ? describe(t.trim()) : `${t.length} characters (not shown: the file holds a key)`}`);
}
const upload = [];
const cfgName = 'aws_iot_cfg.txt';
const cfg = json(cfgName, false);
if (cfg === undefined) bad(`${cfgName}: missing (expected {"region": "us-east-1", "endpoint": "host:port" or "endpt_prefix": "abc123", "ca": "ca.pem"})`);
if (cfg) {
  upload.push(cfgName);
  if (typeof cfg.region !== 'string' || !/^[a-z][a-z0-9-]*[0-9]$/.test(cfg.region)) bad(`${cfgName}: field "region": expected a string like "us-east-1", got ${describe(cfg.region)}`);
  if (typeof cfg.endpoint !== 'string' && typeof cfg.endpt_prefix !== 'string') bad(`${cfgName}: expected an "endpoint" ("host[:port]") or "endpt_prefix" field, got neither`);
  const auth = cfg.auth === undefined ? 'sigv4' : cfg.auth;
  if (auth !== 'sigv4' && auth !== 'x509') bad(`${cfgName}: field "auth": expected "sigv4" or "x509", got ${describe(cfg.auth)}`);
  if (cfg.ca !== undefined) {
    if (typeof cfg.ca !== 'string' || !/^[a-zA-Z0-9._-]+$/.test(cfg.ca)) bad(`${cfgName}: field "ca": expected a file name like "ca.pem", got ${describe(cfg.ca)}`);
    else { pem(cfg.ca, 'certificate', `named by ${cfgName} field "ca"`); upload.push(cfg.ca); }
  } else warnings.push(`${cfgName} names no "ca": the board will not verify the server it talks to`);
  if (auth === 'x509') {
    pem('cert.pem', 'certificate', `${cfgName} says "auth": "x509"`);
    pem('key.pem', 'private key', `${cfgName} says "auth": "x509"`);
    upload.push('cert.pem', 'key.pem');
  } else if (auth === 'sigv4') {
    const c = json('aws_credentials.txt', true);
    if (c === undefined) bad('aws_credentials.txt: missing (expected {"akey": "AKIA...", "skey": "..."}; or "auth": "x509" with cert.pem and key.pem)');
    else if (c) {
      upload.push('aws_credentials.txt');
      if (typeof c.akey !== 'string' || !/^[A-Z0-9]+$/.test(c.akey) || c.akey.length > 128) bad(`aws_credentials.txt: field "akey": expected an access key id like "AKIDEXAMPLE", got ${typeof c.akey === 'string' ? `${c.akey.length} characters` : describe(c.akey)}`);
      if (typeof c.skey !== 'string' || c.skey.length < 16) bad(`aws_credentials.txt: field "skey": expected the secret access key (a string), got ${typeof c.skey === 'string' ? `${c.skey.length} characters` : typeof c.skey}`);
      if (c.token !== undefined && typeof c.token !== 'string') bad('aws_credentials.txt: field "token": expected a string');
    }
  }
}
const wifi = json('wifi.json', true);
if (wifi === undefined) bad('wifi.json: missing (expected {"ssid": "my-network", "password": "..."})');
else if (wifi) {
  upload.push('wifi.json');
  if (typeof wifi.ssid !== 'string' || wifi.ssid.length === 0 || Buffer.byteLength(wifi.ssid) > 32) bad(`wifi.json: field "ssid": expected a network name of 1..32 bytes, got ${describe(wifi.ssid)}`);
  if (wifi.password !== undefined && (typeof wifi.password !== 'string' || Buffer.byteLength(wifi.password) > 64)) bad(`wifi.json: field "password": expected a string of at most 64 bytes, got ${typeof wifi.password === 'string' ? `${wifi.password.length} characters` : typeof wifi.password}`);
}
const board = json('board.json', false);
if (board) upload.push('board.json');
for (const n of upload) if (n.length > 26) bad(`${n}: Storage names are at most 26 characters here (Espruino keeps 28, dormouse adds 2), got ${n.length}`);
// The core's own validation, when the Node build of it exists (npm run build:node).
const coreConfig = path.join(root, 'dist/node/src/config.js');
if (problems.length === 0 && fs.existsSync(coreConfig)) {
  import(require('url').pathToFileURL(coreConfig).href).then((m) => {
    try {
      const c = m.loadDeviceConfig((name) => (exists(name) ? text(name) : undefined));
      for (const w of c.warnings || []) warnings.push(w);
    } catch (e) {
      problems.push(e.message);
    }
    finish();
  }, () => finish());
} else finish();
function finish() {
  for (const w of warnings) process.stderr.write(`flash.sh: warning: ${w}\n`);
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`flash.sh: ${p}\n`);
    process.exit(1);
  }
  process.stdout.write([...new Set(upload)].join('\n') + '\n');
}
NODE
)" || die "refusing to flash: fix the files above (in $DIR)"

# --- build ---------------------------------------------------------------------------------
if [ "$BUILD" = 1 ]; then
  echo "flash.sh: building the bundle (npm run build:bundles)"
  (cd "$ROOT" && npm run --silent build:bundles) || die "the build failed"
fi
[ -f "$BUNDLE" ] || die "$BUNDLE: missing (run 'npm run build:bundles', or give --bundle FILE)"
BUNDLE_BYTES="$(wc -c < "$BUNDLE" | tr -d ' ')"

# --- the espruino CLI ----------------------------------------------------------------------
if [ -x "$ROOT/node_modules/.bin/espruino" ]; then ESPRUINO=("$ROOT/node_modules/.bin/espruino")
else ESPRUINO=(npx --yes espruino); fi
# A local board description: the CLI would otherwise fetch ESP32.json from espruino.com.
ARGS=(--board "$BOARD_JSON" -b "$BAUD")
while IFS= read -r f; do
  [ -n "$f" ] && ARGS+=(--storage "$f:$DIR/$f")
done <<< "$FILES"
ARGS+=(--storage ".bootcde:-" "$BUNDLE")

if [ "$DRY_RUN" = 1 ]; then
  TARGET="${OUT:-$ROOT/build/upload.js}"
  # The CLI wants a .js name for -o.
  [ "$TARGET" = "-" ] && TARGET="$(mktemp -d "${TMPDIR:-/tmp}/dormouse-upload.XXXXXX")/upload.js"
  case "$TARGET" in *.js) ;; *) die "--out: expected a file name ending in .js (or -), got '$TARGET'" ;; esac
  mkdir -p "$(dirname "$TARGET")"
  ( umask 077; "${ESPRUINO[@]}" -n -o "$TARGET" "${ARGS[@]}" >/dev/null ) || die "the espruino CLI failed to prepare the upload"
  [ -s "$TARGET" ] || die "the espruino CLI wrote nothing to $TARGET"
  if [ "${OUT:-}" = "-" ]; then cat "$TARGET"; rm -rf "$(dirname "$TARGET")"; exit 0; fi
  echo "flash.sh: dry run: nothing sent; the upload script is $TARGET ($(wc -c < "$TARGET" | tr -d ' ') bytes, holds secrets: keep it private)"
  while IFS= read -r f; do
    [ -n "$f" ] && echo "  Storage $f ($(wc -c < "$DIR/$f" | tr -d ' ') bytes)"
  done <<< "$FILES"
  echo "  Storage .bootcde ($BUNDLE_BYTES bytes, $(basename "$BUNDLE")), then load(\".bootcde\")"
  exit 0
fi

echo "flash.sh: uploading to $PORT at $BAUD baud: $(echo "$FILES" | tr '\n' ' ').bootcde ($BUNDLE_BYTES bytes)"
echo "flash.sh: if the board is asleep, press its reset (EN) button first: after a reset it waits 5 s before its wake"
"${ESPRUINO[@]}" -p "$PORT" "${ARGS[@]}" || die "the upload failed (is the port right, the board awake and running Espruino?)"
if [ "$MONITOR" = 1 ]; then
  echo "flash.sh: the board's console (Ctrl-C twice to leave)"
  exec "${ESPRUINO[@]}" -p "$PORT" -b "$BAUD" --board "$BOARD_JSON"
fi
