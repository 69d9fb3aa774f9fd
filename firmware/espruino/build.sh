#!/usr/bin/env bash
# Build a TLS-correct Espruino for dormouse from the user's Espruino checkout.
#
# Stock Espruino never verifies the server certificate and sends the SNI name "mbed TLS Server 1"
# (or none), so it cannot talk to AWS IoT safely. This script patches a checkout (see
# patch-tls.py: SNI = the requested host, certificate verified against the `ca` given to the
# request, 70 KB of heap left to the IDF for TLS on ESP32) and builds it. It edits the checkout
# you give it; dormouse ships none of Espruino's code.
#
#   firmware/espruino/build.sh --src ~/Espruino --board ESP32     # your checkout
#   firmware/espruino/build.sh --board LINUX                       # clones RELEASE_2V29 into build/
#
# Options (environment variables in brackets):
#   --src DIR        Espruino checkout to patch and build [ESPRUINO_SRC]
#   --clone-into DIR where to clone when no --src is given (default: build/espruino-<tag>)
#   --tag TAG        tag to clone (default RELEASE_2V29, the version dormouse is measured on)
#   --board BOARD    ESP32 (default) or LINUX [BOARD]
#   --heap BYTES     heap left to the ESP-IDF on ESP32 (default 70000)
#   --jobs N         parallel make jobs (default: number of CPUs)
#   --patch-only     patch, do not build
#   --clean          run `make clean` before building
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"

TAG="RELEASE_2V29"
SRC="${ESPRUINO_SRC:-}"
CLONE_INTO=""
BOARD="${BOARD:-ESP32}"
HEAP=70000
JOBS="$(nproc 2>/dev/null || echo 2)"
PATCH_ONLY=0
CLEAN=0
REPO_URL="https://github.com/espruino/Espruino.git"

die() { echo "build.sh: $*" >&2; exit 1; }
usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --src) SRC="${2:?--src needs a directory}"; shift 2 ;;
    --clone-into) CLONE_INTO="${2:?--clone-into needs a directory}"; shift 2 ;;
    --tag) TAG="${2:?--tag needs a tag}"; shift 2 ;;
    --board) BOARD="${2:?--board needs ESP32 or LINUX}"; shift 2 ;;
    --heap) HEAP="${2:?--heap needs a number of bytes}"; shift 2 ;;
    --jobs|-j) JOBS="${2:?--jobs needs a number}"; shift 2 ;;
    --patch-only) PATCH_ONLY=1; shift ;;
    --clean) CLEAN=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

case "$BOARD" in
  ESP32|LINUX) ;;
  *) die "--board: expected ESP32 or LINUX, got '$BOARD'" ;;
esac
case "$HEAP" in ''|*[!0-9]*) die "--heap: expected a number of bytes, got '$HEAP'" ;; esac
case "$JOBS" in ''|*[!0-9]*) die "--jobs: expected a number, got '$JOBS'" ;; esac
command -v python3 >/dev/null || die "python3 is needed (Espruino's build needs it too)"

if [ -z "$SRC" ]; then
  SRC="${CLONE_INTO:-$repo_root/build/espruino-$TAG}"
  if [ ! -d "$SRC/.git" ] && [ ! -f "$SRC/Makefile" ]; then
    command -v git >/dev/null || die "git is needed to clone $REPO_URL (or give --src)"
    echo "build.sh: cloning $REPO_URL at $TAG into $SRC"
    mkdir -p "$(dirname "$SRC")"
    git clone --depth 1 --branch "$TAG" "$REPO_URL" "$SRC"
  fi
fi
[ -d "$SRC" ] || die "--src $SRC: no such directory"
[ -f "$SRC/Makefile" ] && [ -f "$SRC/libs/network/network.c" ] || die "--src $SRC: not an Espruino checkout (no Makefile or libs/network/network.c)"
SRC="$(cd "$SRC" && pwd)"

if [ -d "$SRC/.git" ] && command -v git >/dev/null; then
  described="$(git -C "$SRC" describe --tags --exact-match 2>/dev/null || true)"
  if [ -n "$described" ] && [ "$described" != "$TAG" ]; then
    echo "build.sh: warning: $SRC is at $described, dormouse is measured on $TAG" >&2
  fi
fi

echo "build.sh: patching $SRC"
python3 "$here/patch-tls.py" "$SRC" --heap "$HEAP"
[ "$PATCH_ONLY" = 1 ] && { echo "build.sh: patched (--patch-only), not building"; exit 0; }

cd "$SRC"
# Espruino's Makefile does not track header dependencies: make sure the files that see the
# patched network.c and mbedTLS config.h are compiled again.
touch libs/network/network.c libs/crypto/mbedtls/library/*.c
if [ "$BOARD" = ESP32 ]; then
  # Espruino's ESP32 build uses the ESP-IDF 3.x and app template of EspruinoBuildTools.
  # scripts/provision.sh downloads them (and the xtensa toolchain) into the checkout and
  # exports ESP_IDF_PATH / ESP_APP_TEMPLATE_PATH; an environment that already has them is kept.
  if [ -z "${ESP_IDF_PATH:-}" ] || [ -z "${ESP_APP_TEMPLATE_PATH:-}" ]; then
    echo "build.sh: ESP_IDF_PATH/ESP_APP_TEMPLATE_PATH not set: running scripts/provision.sh ESP32"
    # shellcheck disable=SC1091
    set +u; source scripts/provision.sh ESP32; set -u
  fi
  [ -n "${ESP_IDF_PATH:-}" ] || die "ESP_IDF_PATH is not set after provisioning"
  cfg="$ESP_IDF_PATH/components/mbedtls/port/include/mbedtls/esp_config.h"
  if [ -f "$cfg" ] && ! grep -q '^#define MBEDTLS_SSL_SERVER_NAME_INDICATION' "$cfg"; then
    echo "build.sh: warning: $cfg does not enable MBEDTLS_SSL_SERVER_NAME_INDICATION: no SNI will be sent" >&2
  fi
fi

[ "$CLEAN" = 1 ] && make clean BOARD="$BOARD"
echo "build.sh: make BOARD=$BOARD RELEASE=1 -j$JOBS"
make BOARD="$BOARD" RELEASE=1 -j"$JOBS"

if [ "$BOARD" = LINUX ]; then
  bin=""
  for b in "$SRC/bin/espruino" "$SRC/espruino"; do [ -x "$b" ] && { bin="$b"; break; }; done
  [ -n "$bin" ] || die "build finished but neither $SRC/bin/espruino nor $SRC/espruino exists"
  echo "build.sh: built $bin"
else
  ls "$SRC"/espruino_*esp32* 2>/dev/null || true
  echo "build.sh: built the ESP32 firmware in $SRC (flash it as README 'Flashing a board' says)"
fi
