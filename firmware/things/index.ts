/**
 * The things that ship with dormouse, and the one this firmware runs. To run your own thing,
 * write it in a file of its own here (see `shade-thing.ts`) and point {@link DeviceThing} at it:
 * both bundles (the simulator's and the board's) build the device from this line.
 */
import type { Hal } from '../../hal/hal.js';
import type { BaseThing } from '../../src/thing.js';
import { SignalThing } from './signal-thing.js';

export { SignalThing, LED_TEST_DEFAULT_MS } from './signal-thing.js';
export { ShadeThing } from './shade-thing.js';

/** The thing this firmware runs (e.g. `= ShadeThing`, imported above). */
export const DeviceThing: new (hal: Hal) => BaseThing = SignalThing;
