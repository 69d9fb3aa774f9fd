/**
 * The default thing of a dormouse device: blinks its indicator on `signal` (BaseThing's handler)
 * and offers three tests, run by setting desired `test` to their name:
 * `led` (indicator on for `test_param` ms), `memory` (free memory), `echo` (returns `test_param`).
 */
import { describeValue, type JsonValue } from '../../src/json.js';
import { BaseThing, type HandlerResult } from '../../src/thing.js';

/** How long `test: "led"` lights the indicator when `test_param` is not a positive number. */
export const LED_TEST_DEFAULT_MS = 1000;

/** The default thing: signal by blinking, plus the `led`, `memory` and `echo` tests. */
export class SignalThing extends BaseThing {
  /** Test `led`: indicator on for `param` ms (capped to the handler budget), then off. */
  async testLed(param: JsonValue | undefined): Promise<HandlerResult> {
    const wanted = typeof param === 'number' && isFinite(param) && param > 0 ? Math.round(param) : LED_TEST_DEFAULT_MS;
    const budget = this.handlerBudgetMs();
    const ms = wanted > budget ? budget : wanted;
    this.hal.indicator.set(true);
    await this.delay(ms);
    this.hal.indicator.set(false);
    return ms < wanted ? `ok in ${ms} ms (capped from ${wanted})` : `ok in ${ms} ms`;
  }

  /** Test `memory`: the engine's free and total memory. */
  testMemory(): HandlerResult {
    const m = this.hal.device.memory();
    return `free ${m.free} of ${m.total} bytes`;
  }

  /** Test `echo`: returns its parameter, to check the round trip desired → reported. */
  testEcho(param: JsonValue | undefined): HandlerResult {
    return `echo ${describeValue(param, 40)}`;
  }
}
