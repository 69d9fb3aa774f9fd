/**
 * Example: how a user adds a thing in one small file. A window shade with a `position` key
 * (0..100 %). Desired `{"position": 40}` calls `position(40, <previous>)` once; its text ends up
 * in the reported status (`done: position: moved to 40`), and `reported.position` becomes 40.
 *
 * To use it: `boot(hal, { thing: (hal) => new ShadeThing(hal) })` in the board's entry file.
 */
import type { ThingSchema } from '../../src/schema.js';
import type { HandlerResult } from '../../src/thing.js';
import { SignalThing } from './signal-thing.js';

/** A shade that moves to a position; keeps `signal` and the tests of {@link SignalThing}. */
export class ShadeThing extends SignalThing {
  /** The keys this thing adds: type and range, validated before the handler runs. */
  static schema: ThingSchema = {
    position: { type: 'number', min: 0, max: 100 },
  };

  /** Moves the shade (here: one blink per 25 %, standing in for a motor) and says where to. */
  async position(to: number, from: number | undefined): Promise<HandlerResult> {
    const steps = Math.ceil(Math.abs(to - (from === undefined ? 0 : from)) / 25);
    await this.blink(steps, 50, 50);
    return `moved to ${to}`;
  }
}
