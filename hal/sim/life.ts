/**
 * The lifetime of one simulated wake: from boot to deep sleep, a power cut or a watchdog reset.
 * It owns the wake's timers and sockets (they die with it, as they would on a chip), and it is
 * the one place every HAL call passes through (see `guard.ts`): once the wake is over, calls fail
 * with `EPOWER`, and calls still pending are abandoned.
 */
import type { Duplex } from 'node:stream';
import type { HalFailure } from '../hal.js';
import { simFailure } from './errors.js';

/** How a wake ended. */
export type WakeEnd =
  /** The firmware called `deepSleep(seconds)`. */
  | { readonly kind: 'sleep'; readonly seconds: number }
  /** The power was cut: RTC memory and the clock are lost. */
  | { readonly kind: 'power-cut' }
  /** The watchdog was not kicked in time: the chip reset. */
  | { readonly kind: 'watchdog'; readonly afterMs: number }
  /** The firmware stopped without sleeping (it threw, or returned without `deepSleep`): a reset. */
  | { readonly kind: 'crash'; readonly message: string };

/** The wake's state. */
export type LifeState = 'awake' | 'ended';

/** One wake's lifetime. */
export class WakeLife {
  private state: LifeState = 'awake';
  private endedWith: WakeEnd | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<Duplex>();
  private resolveEnded!: (end: WakeEnd) => void;
  private rejectLost!: (e: HalFailure) => void;
  /** Resolves when the wake ends, with how it ended. */
  readonly ended: Promise<WakeEnd>;
  /** Rejects with `EPOWER` when the wake ends: pending HAL calls race against it. */
  readonly lost: Promise<never>;
  private readonly onEnd: ((end: WakeEnd) => void)[] = [];

  constructor() {
    this.ended = new Promise<WakeEnd>((resolve) => (this.resolveEnded = resolve));
    this.lost = new Promise<never>((_resolve, reject) => (this.rejectLost = reject));
    this.lost.catch(() => undefined);
  }

  /** True while the wake runs. */
  get awake(): boolean {
    return this.state === 'awake';
  }

  /** How the wake ended, once it has. */
  get end(): WakeEnd | undefined {
    return this.endedWith;
  }

  /** Run `fn` when the wake ends (before `ended` resolves). */
  atEnd(fn: (end: WakeEnd) => void): void {
    this.onEnd.push(fn);
  }

  /** The error a HAL call gets once the wake is over. */
  deadError(what: string): HalFailure {
    const end = this.endedWith;
    const why = end === undefined ? 'the wake is over' : end.kind === 'sleep' ? 'the device is in deep sleep' : end.kind === 'power-cut' ? 'the power was cut' : end.kind === 'watchdog' ? 'the watchdog reset the chip' : 'the firmware crashed';
    return simFailure('EPOWER', `${what}: ${why}`);
  }

  /** End the wake (first call wins): timers and sockets die, pending HAL calls are abandoned. */
  finish(end: WakeEnd): void {
    if (this.state !== 'awake') return;
    this.state = 'ended';
    this.endedWith = end;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    for (const fn of this.onEnd) {
      try {
        fn(end);
      } catch {
        // ending the wake matters more
      }
    }
    this.rejectLost(this.deadError('HAL call'));
    this.resolveEnded(end);
  }

  /** A timer of this wake: `fn` runs after `ms` unless the wake ends first. Returns its cancel. */
  setTimer(ms: number, fn: () => void): () => void {
    if (this.state !== 'awake') return () => undefined;
    const delay = typeof ms === 'number' && isFinite(ms) && ms > 0 ? Math.min(ms, 2147483647) : 0;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.state === 'awake') fn();
    }, delay);
    this.timers.add(t);
    return () => {
      clearTimeout(t);
      this.timers.delete(t);
    };
  }

  /** Track a socket of this wake: destroyed when the wake ends. */
  adopt(socket: Duplex): void {
    if (this.state !== 'awake') {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}
