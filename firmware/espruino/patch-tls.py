#!/usr/bin/env python3
"""Patch an Espruino source checkout so its TLS is usable against AWS IoT (dormouse).

Stock Espruino (libs/network/network.c, ssl_newSocketData) configures mbedTLS with
MBEDTLS_SSL_VERIFY_NONE and the fixed host name "mbed TLS Server 1": the server certificate is
never checked and the SNI extension (when the mbedTLS build has it) names the wrong host. This
script edits a user's checkout in place:

  1. libs/network/network.c: the SNI / certificate host name becomes `options.servername`, else
     `options.host`, of the connect call; the certificate is verified (MBEDTLS_SSL_VERIFY_REQUIRED)
     whenever a `ca` was given. Without `ca` the stock behaviour (no verification) stays.
  2. libs/crypto/mbedtls/config.h (the mbedTLS configuration of non-IDF builds such as
     BOARD=LINUX): enable MBEDTLS_SSL_SERVER_NAME_INDICATION so the SNI extension is sent.
  3. boards/ESP32.py: leave ESP_HEAP_SIZE bytes of heap to the ESP-IDF (TLS buffers), as the
     ESP32-C3 board file does with 70000.

Every edit looks for an anchor in Espruino's code and stops with a clear message when the anchor
is missing (another Espruino version); re-running on a patched tree changes nothing. No Espruino
code is shipped with dormouse: only the lines below marked "dormouse-tls" are ours.
"""
import argparse
import os
import re
import sys

MARK = "dormouse-tls"


class PatchError(Exception):
    pass


def read(path):
    with open(path, "r", encoding="utf-8", errors="surrogateescape") as f:
        return f.read()


def write(path, text):
    tmp = path + ".dormouse-tmp"
    with open(tmp, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(text)
    os.replace(tmp, path)


def replace_once(text, pattern, replacement, what, path):
    found = re.findall(pattern, text)
    if len(found) != 1:
        raise PatchError(
            f"{path}: expected exactly one {what} (pattern {pattern!r}), found {len(found)}; "
            "this Espruino version is not one dormouse knows how to patch (pinned: RELEASE_2V29)")
    return re.sub(pattern, lambda _m: replacement, text, count=1)


HOSTNAME_HELPER = """/* {mark}: the host name for SNI and certificate checks: options.servername, else options.host */
static const char *dormouse_tls_hostname(JsVar *options, char *buf, size_t len) {{
  JsVar *name = jsvIsObject(options) ? jsvObjectGetChildIfExists(options, "servername") : 0;
  if (!jsvIsString(name)) {{
    jsvUnLock(name);
    name = jsvIsObject(options) ? jsvObjectGetChildIfExists(options, "host") : 0;
  }}
  buf[0] = 0;
  if (jsvIsString(name)) jsvGetString(name, buf, len);
  jsvUnLock(name);
  return buf[0] ? buf : NULL;
}}

""".format(mark=MARK)


def patch_network_c(root):
    path = os.path.join(root, "libs", "network", "network.c")
    if not os.path.isfile(path):
        raise PatchError(f"{path}: not found; is {root} an Espruino source checkout?")
    text = read(path)
    if MARK in text:
        return f"{path}: already patched"
    # 1. helper before ssl_newSocketData
    text = replace_once(text, r"\nbool ssl_newSocketData\(int sckt, JsVar \*options\) \{",
                        "\n" + HOSTNAME_HELPER + "bool ssl_newSocketData(int sckt, JsVar *options) {",
                        "definition of ssl_newSocketData(int sckt, JsVar *options)", path)
    # 2. verify against the given CA
    text = replace_once(text, r"mbedtls_ssl_conf_authmode\(\s*&sd->conf,\s*MBEDTLS_SSL_VERIFY_NONE\s*\);",
                        "/* " + MARK + ": verify the server certificate whenever a CA was given */\n"
                        "  mbedtls_ssl_conf_authmode( &sd->conf, sd->cacert.version ? MBEDTLS_SSL_VERIFY_REQUIRED : MBEDTLS_SSL_VERIFY_NONE );",
                        "call mbedtls_ssl_conf_authmode(&sd->conf, MBEDTLS_SSL_VERIFY_NONE)", path)
    # 3. SNI / host name from the connect options
    text = replace_once(text, r"mbedtls_ssl_set_hostname\(\s*&sd->ssl,\s*\"mbed TLS Server 1\"\s*\)",
                        "mbedtls_ssl_set_hostname( &sd->ssl, dormouse_tls_hostname(options, dormouse_host, sizeof(dormouse_host)) )",
                        "call mbedtls_ssl_set_hostname(&sd->ssl, \"mbed TLS Server 1\")", path)
    text = replace_once(text, r"\n(\s*)if \(\( ret = mbedtls_ssl_set_hostname\(",
                        "\n  char dormouse_host[128]; /* " + MARK + " */\n  if (( ret = mbedtls_ssl_set_hostname(",
                        "'if (( ret = mbedtls_ssl_set_hostname(' line", path)
    write(path, text)
    return f"{path}: SNI host = options.servername || options.host; VERIFY_REQUIRED when options.ca is given"


def patch_mbedtls_config(root):
    path = os.path.join(root, "libs", "crypto", "mbedtls", "config.h")
    if not os.path.isfile(path):
        raise PatchError(f"{path}: not found; is {root} an Espruino source checkout?")
    text = read(path)
    if MARK in text:
        return f"{path}: already patched"
    if re.search(r"^\s*#define\s+MBEDTLS_SSL_SERVER_NAME_INDICATION\b", text, re.M):
        return f"{path}: MBEDTLS_SSL_SERVER_NAME_INDICATION already enabled"
    text = replace_once(text, r"\n#define MBEDTLS_SSL_PROTO_TLS1_2[^\n]*\n",
                        "\n#define MBEDTLS_SSL_PROTO_TLS1_2\n#define MBEDTLS_SSL_SERVER_NAME_INDICATION /* " + MARK + ": send SNI */\n",
                        "'#define MBEDTLS_SSL_PROTO_TLS1_2' line", path)
    write(path, text)
    return f"{path}: MBEDTLS_SSL_SERVER_NAME_INDICATION enabled"


def patch_esp32_board(root, heap):
    path = os.path.join(root, "boards", "ESP32.py")
    if not os.path.isfile(path):
        raise PatchError(f"{path}: not found; is {root} an Espruino source checkout?")
    text = read(path)
    if MARK in text:
        text2 = re.sub(r"-DESP_HEAP_SIZE=\d+', # " + MARK, f"-DESP_HEAP_SIZE={heap}', # {MARK}", text)
        if text2 != text:
            write(path, text2)
        return f"{path}: already patched (ESP_HEAP_SIZE={heap})"
    if "ESP_HEAP_SIZE" in text:
        raise PatchError(f"{path}: already sets ESP_HEAP_SIZE; remove it or patch by hand")
    text = replace_once(text, r"\n(\s*)'DEFINES\+=-DESP_PLATFORM -DESP32=1',[^\n]*\n",
                        "\n     'DEFINES+=-DESP_PLATFORM -DESP32=1',\n     'DEFINES+=-DESP_HEAP_SIZE=" + str(heap) + "', # " + MARK + ": heap left to the IDF for TLS\n",
                        "'DEFINES+=-DESP_PLATFORM -DESP32=1' line of the build makefile list", path)
    write(path, text)
    return f"{path}: ESP_HEAP_SIZE={heap} bytes left to the IDF heap"


def main(argv):
    p = argparse.ArgumentParser(description="Patch an Espruino checkout for verified TLS with SNI (dormouse).")
    p.add_argument("root", help="Espruino source checkout to edit in place")
    p.add_argument("--heap", type=int, default=70000, help="ESP_HEAP_SIZE for boards/ESP32.py (default 70000)")
    a = p.parse_args(argv)
    if a.heap < 40000 or a.heap > 200000:
        print(f"patch-tls: --heap {a.heap}: expected 40000..200000 bytes", file=sys.stderr)
        return 2
    try:
        for line in (patch_network_c(a.root), patch_mbedtls_config(a.root), patch_esp32_board(a.root, a.heap)):
            print(f"patch-tls: {line}")
    except PatchError as e:
        print(f"patch-tls: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
