/**
 * The indicator LED on a configurable pin (default `D2`, the LED of most ESP32 dev boards).
 * `digitalWrite` takes a pin name of up to 4 chars or a GPIO number. A bad pin is reported once
 * in the log and otherwise ignored: blinking must never break a wake.
 */
import type { Indicator } from '../hal.js';
import { thrownText } from './errors.js';

/** The HAL's {@link Indicator}: an LED, lit high unless `activeLow`. */
export function createEsp32Indicator(pin: string, activeLow: boolean, warn: (message: string) => void): Indicator {
  let broken = false;
  return {
    set(on: boolean): void {
      if (broken) return;
      try {
        digitalWrite(pin, on !== activeLow ? 1 : 0);
      } catch (e) {
        broken = true;
        warn(`led: pin ${pin} cannot be driven: ${thrownText(e)}`);
      }
    },
  };
}
