import { beforeEach, describe, expect, test } from 'vitest';
import { SignalThing } from '../../firmware/things/signal-thing.js';
import type { ThingSchema } from '../../src/schema.js';
import { INTENT_FILE, STATE_FILE } from '../../src/store.js';
import type { HandlerResult } from '../../src/thing.js';
import { halFailure, MemoryHal, postedReported, wakeOnce } from '../support/memory-hal.js';

let hal: MemoryHal;
const setDesired = (patch: Record<string, unknown>) => hal.cloud.setDesired('id-1', patch, hal.clock.trueNow);

/** Counts blinks: one per `indicator.set(true)`. */
const blinks = () => hal.indicatorEvents.filter((e) => e.on).length;

beforeEach(() => {
  hal = new MemoryHal();
});

describe('cycle: exactly once across power cuts (crash recovery is reached)', () => {
  test('a power cut inside signal: the wake stops without sleeping or persisting; the next wake reports it interrupted and does not blink again', async () => {
    setDesired({ signal: 3 });
    hal.faults.powerCutOnIndicatorCall = 3; // on, off, then the power goes at the second blink
    await expect(wakeOnce(hal)).rejects.toMatchObject({ code: 'EPOWER' });
    expect(hal.sleeps).toEqual([]);
    expect(hal.rtcData).toBeUndefined(); // nothing written after the cut
    expect(hal.files.get(INTENT_FILE)).toBeDefined();
    const before = blinks();
    const s = await wakeOnce(hal);
    expect(blinks()).toBe(before);
    expect(s.status).toBe('error: signal interrupted (power loss)');
    expect(s.outcomes).toEqual([{ key: 'signal', action: 'interrupted', text: 'signal interrupted (power loss)' }]);
    expect(s.reason).toBe('power-on');
    expect(hal.files.get(INTENT_FILE)).toBeUndefined();
    expect(postedReported(hal)).toMatchObject({ signal: 3, status: 'error: signal interrupted (power loss)' });
    const s3 = await wakeOnce(hal);
    expect(s3.outcomes).toEqual([]);
    expect(blinks()).toBe(before);
  });

  test('a watchdog reset inside a handler is reported as such, and the handler does not run again', async () => {
    let runs = 0;
    let reached: () => void = () => {};
    const inHandler = new Promise<void>((r) => { reached = r; });
    class Hangs extends SignalThing {
      static schema: ThingSchema = { position: { type: 'number' } };
      position(): Promise<HandlerResult> {
        runs++;
        reached();
        hal.watchdogReset();
        return new Promise(() => {}); // never returns: the chip resets under it
      }
    }
    setDesired({ position: 10 });
    void wakeOnce(hal, { thing: (h) => new Hangs(h) });
    await inHandler;
    const s = await wakeOnce(hal, { thing: (h) => new Hangs(h) });
    expect(runs).toBe(1);
    expect(s.reason).toBe('watchdog');
    expect(s.status).toBe('error: position interrupted (watchdog reset)');
  });

  test('an idempotent handler (schema flag) is simply retried after a power cut', async () => {
    let runs = 0;
    class Lamp extends SignalThing {
      static schema: ThingSchema = { lamp: { type: 'boolean', idempotent: true } };
      lamp(to: boolean): HandlerResult {
        runs++;
        if (runs === 1) {
          hal.powerCut();
          throw halFailure('EPOWER', 'power cut');
        }
        return to ? 'on' : 'off';
      }
    }
    setDesired({ lamp: true });
    await expect(wakeOnce(hal, { thing: (h) => new Lamp(h) })).rejects.toMatchObject({ code: 'EPOWER' });
    expect(hal.files.get(INTENT_FILE)).toBeUndefined(); // no intent record for idempotent handlers
    const s = await wakeOnce(hal, { thing: (h) => new Lamp(h) });
    expect(runs).toBe(2);
    expect(s.status).toBe('done: lamp: on');
  });

  test('an interrupted change does not block a newer desired change of the same key', async () => {
    setDesired({ signal: 3 });
    hal.faults.powerCutOnIndicatorCall = 1;
    await expect(wakeOnce(hal)).rejects.toMatchObject({ code: 'EPOWER' });
    hal.clock.pass(60000);
    setDesired({ signal: 2 });
    const s = await wakeOnce(hal);
    expect(s.status).toBe('error: signal interrupted (power loss); signal: blinked 2 times');
    expect(blinks()).toBe(2);
  });

  test('the same command set again after an interruption (newer timestamp) runs', async () => {
    setDesired({ signal: 1 });
    hal.faults.powerCutOnIndicatorCall = 1;
    await expect(wakeOnce(hal)).rejects.toMatchObject({ code: 'EPOWER' });
    await wakeOnce(hal); // reports the interruption
    hal.clock.pass(5000);
    setDesired({ signal: 1 });
    const s = await wakeOnce(hal);
    expect(s.status).toBe('done: signal: blinked 1 time');
    expect(blinks()).toBe(1);
  });

  test('an interrupted test keeps its parameter: the test does not re-run', async () => {
    setDesired({ test: 'led', test_param: 1500 });
    hal.faults.powerCutOnIndicatorCall = 2; // the led goes on, the power goes before it is switched off
    await expect(wakeOnce(hal)).rejects.toMatchObject({ code: 'EPOWER' });
    const s = await wakeOnce(hal);
    expect(s.status).toBe('error: test led interrupted (power loss)');
    expect(blinks()).toBe(1);
    expect(postedReported(hal)).toMatchObject({ test: 'led', test_param: 1500 });
  });

  test('a power cut while writing flash keeps the old record (atomic writes); the change then runs exactly once', async () => {
    setDesired({ signal: 2 });
    hal.faults.powerCutOnWrite = STATE_FILE;
    await expect(wakeOnce(hal)).rejects.toMatchObject({ code: 'EPOWER' });
    expect(blinks()).toBe(0); // cut before the intent record, so before the handler
    delete hal.faults.powerCutOnWrite;
    const s = await wakeOnce(hal);
    expect(s.status).toBe('done: signal: blinked 2 times');
    await wakeOnce(hal);
    expect(blinks()).toBe(2);
  });
});

describe('cycle: the whole-wake budget', () => {
  test('a hung handler is abandoned at the budget: interrupted, not re-run, the report is sent next wake', async () => {
    let runs = 0;
    class Hangs extends SignalThing {
      static schema: ThingSchema = { position: { type: 'number' } };
      position(): Promise<HandlerResult> {
        runs++;
        return new Promise(() => {});
      }
    }
    setDesired({ position: 10, sleep: 40 });
    const s = await wakeOnce(hal, { thing: (h) => new Hangs(h) });
    expect(s.awakeMs).toBeLessThanOrEqual(20000 + 2100);
    expect(s.error).toBe('EBUDGET');
    expect(s.status).toBe('error: position interrupted (time budget); EBUDGET: wake ran past its 20 s budget during the handlers');
    expect(s.report).toEqual({ sent: false, reason: 'changed' });
    expect(hal.sleeps.length).toBe(1);
    expect(hal.files.get(INTENT_FILE)).toBeUndefined();
    const s2 = await wakeOnce(hal, { thing: (h) => new Hangs(h) });
    expect(runs).toBe(1);
    expect(s2.report).toEqual({ sent: true, reason: 'changed' }); // sleep 40 is still due: the report carries it
    expect(s2.sleep.seconds).toBe(40);
    expect(postedReported(hal)).toMatchObject({ position: 10, sleep: 40 });
  });

  test('a hung server cannot keep the device awake past the budget', async () => {
    hal.cloud.hang = true;
    const s = await wakeOnce(hal, { options: { budgetMs: 5000, httpTimeoutMs: 8000 } });
    expect(s.error).toBe('EBUDGET');
    expect(s.status).toBe('error: EBUDGET: wake ran past its 5 s budget during GET shadow');
    expect(s.awakeMs).toBeLessThanOrEqual(5000 + 2100);
    expect(hal.sleeps.length).toBe(1);
  });

  test('a Wi-Fi join that never completes ends in ENET within the net timeout, then sleep', async () => {
    hal.faults.net = 'hang';
    const s = await wakeOnce(hal);
    expect(s.error).toBe('ENET');
    expect(s.awakeMs).toBeLessThanOrEqual(10000 + 2100);
    expect(hal.sleeps.length).toBe(1);
  });

  test('signal 100 fits in the budget: the blinks get faster', async () => {
    setDesired({ signal: 100 });
    const s = await wakeOnce(hal);
    expect(s.status).toBe('done: signal: blinked 100 times');
    expect(blinks()).toBe(100);
    expect(s.awakeMs).toBeLessThan(20000);
    expect(s.report.sent).toBe(true);
  });
});
