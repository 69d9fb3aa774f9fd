/**
 * The simulated indicator LED. It counts blinks (the timeline shows them), reports each change to
 * a sink (a live display), and can ring the terminal bell at each blink, which is what `signal`
 * does in the simulator.
 */
import type { Indicator } from '../hal.js';

/** Options of {@link createSimIndicator}. */
export interface SimIndicatorOptions {
  /** Ring the terminal bell (`\x07` to `write`) each time the LED turns on. */
  readonly bell: boolean;
  /** Where the bell goes (the terminal). */
  readonly write?: (text: string) => void;
  /** Told of every change (a live display). */
  readonly onChange?: (on: boolean) => void;
}

/** The indicator plus what it did in this wake. */
export interface SimIndicator extends Indicator {
  /** Times it turned on in this wake. */
  blinks(): number;
  isOn(): boolean;
}

/** A simulated LED. */
export function createSimIndicator(o: SimIndicatorOptions): SimIndicator {
  let on = false;
  let blinks = 0;
  return {
    set(value: boolean): void {
      const next = value === true;
      if (next && !on) {
        blinks++;
        if (o.bell && o.write) o.write('\x07');
      }
      if (next !== on) {
        on = next;
        if (o.onChange) o.onChange(on);
      }
    },
    blinks: () => blinks,
    isOn: () => on,
  };
}
