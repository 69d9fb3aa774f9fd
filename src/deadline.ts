/**
 * The whole-wake time budget. Every step that waits on the outside world (network, cloud,
 * handlers) goes through {@link Deadline.run}, which gives up with `EBUDGET` when the budget runs
 * out: a hung network, a hung handler or a slow server cannot keep the device awake.
 */
import type { Clock } from '../hal/hal.js';
import { DormouseError } from './errors.js';

/** A budget that started at construction. */
export class Deadline {
  private readonly clock: Clock;
  private readonly budgetMs: number;
  /** Uptime (ms) at which the budget runs out. */
  readonly at: number;

  constructor(clock: Clock, budgetMs: number) {
    this.clock = clock;
    this.budgetMs = budgetMs;
    this.at = clock.uptime() + budgetMs;
  }

  /** Milliseconds left (0 when spent). */
  remainingMs(): number {
    const left = this.at - this.clock.uptime();
    return left > 0 ? left : 0;
  }

  /** `ms`, or less when the budget has less left; at least 1. */
  cap(ms: number): number {
    const left = this.remainingMs();
    const v = ms < left ? ms : left;
    return v > 1 ? v : 1;
  }

  /** The error a step past the budget fails with. */
  expiredError(what: string): DormouseError {
    return new DormouseError('EBUDGET', `wake ran past its ${Math.round(this.budgetMs / 1000)} s budget during ${what}`);
  }

  /**
   * Runs `fn` (sync throws become rejections) and settles with it, or rejects with `EBUDGET` if
   * the budget runs out first. What `fn` does after that is ignored.
   */
  run<T>(fn: () => T | Promise<T>, what: string): Promise<T> {
    const left = this.remainingMs();
    if (left <= 0) return Promise.reject(this.expiredError(what));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const cancel = this.clock.setTimer(left, () => {
        if (settled) return;
        settled = true;
        reject(this.expiredError(what));
      });
      let p: Promise<T>;
      try {
        p = Promise.resolve(fn());
      } catch (e) {
        p = Promise.reject(e);
      }
      p.then(
        (v) => {
          if (settled) return;
          settled = true;
          cancel();
          resolve(v);
        },
        (e: unknown) => {
          if (settled) return;
          settled = true;
          cancel();
          reject(e);
        },
      );
    });
  }
}
