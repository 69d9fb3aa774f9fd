/**
 * Size and memory budgets of the device bundles, in one place: `npm run bench` flags a figure
 * over its budget and test/build/bundle.test.ts fails on it. Generous on purpose (about 1.5× the
 * figures when set): they catch a runaway dependency or a polyfill pulled in by accident, not
 * a few hundred bytes. Tighten them as the code settles.
 */
export const BUDGETS = {
  /** dist/app.min.js, bytes (61,050 when set). */
  appBundleBytes: 100_000,
  /** dist/app.min.js gzipped, bytes (20,080 when set). */
  appBundleGzipBytes: 32_000,
  /** dist/esp32.min.js, bytes (84,551 when set). */
  esp32BundleBytes: 140_000,
  /** dist/esp32.min.js gzipped, bytes (28,142 when set). */
  esp32BundleGzipBytes: 45_000,
  /**
   * JsVars the app bundle holds once loaded on Espruino (Linux build, code in RAM; 6,730 when
   * set). An ESP32 has at most 16,383 JsVars and a TLS handshake needs 30+ KB of heap besides.
   */
  appLoadedJsVars: 10_000,
} as const;

/** Bytes per JsVar on an ESP32 (Espruino's board files): converts JsVars to ESP32 bytes. */
export const ESP32_BYTES_PER_JSVAR = 14;
