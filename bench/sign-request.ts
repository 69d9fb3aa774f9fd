/**
 * The request the signing benchmarks sign, on Node (bench/sign.ts) and on Espruino
 * (bench/espruino-sign-entry.ts): a typical reported-state update of a device. Engine-neutral.
 */

/** A POST of a shadow update as a device sends it. */
export const SIGN_REQUEST = {
  method: 'POST',
  host: 'a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com',
  path: '/things/dormouse-1/shadow?name=cfg',
  headers: { 'Content-Type': 'application/json' },
  body: '{"state":{"reported":{"sleep":60,"status":"ok: 2 handled, 0 ignored","battery":3.91,"rssi":-61}},"clientToken":"a1b2c3d4"}',
};

/** Two signing dates a day apart: alternating them forces the signing key to be derived. */
export const SIGN_DAYS: readonly [number, number] = [1440938160000, 1441024560000];

/** AWS's public example key. */
export const EXAMPLE_KEY = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
