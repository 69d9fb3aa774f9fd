/** The things that ship with dormouse: the default {@link SignalThing} and an example subclass. */
export { SignalThing, LED_TEST_DEFAULT_MS } from './signal-thing.js';
export { ShadeThing } from './shade-thing.js';
