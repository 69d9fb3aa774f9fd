/**
 * Invariant 6: the status line always says what happened, with an error code when something
 * failed. Every summary's status starts `done: ` or `error: `; a wake that failed names a code
 * from `src/errors.ts` and its status shows it; an `error:` status says which key or which code
 * (of this wake, or of an earlier one whose report it carries);
 * and when an injected fault struck a wake that completed, its status is an error naming a code
 * that fault must produce (`wifi-fail` → `ENET`, `http-503` → `ECLOUD`, …, see the fault kinds;
 * for a fault inside the cloud, a timeout too: the device may give up before the answer comes).
 */
import { kindInfo } from '../../../hal/sim/faults/index.js';
import { isErrorCode } from '../../../src/errors.js';
import { showsCode } from '../../../src/status.js';
import type { ChaosHistory, DeviceHistory, Violation } from '../history.js';
import { violation, wakeAt } from './checker.js';
import type { InvariantChecker } from './checker.js';

const CODE_IN_TEXT = /\bE[A-Z]{2,}: /;

function afterWake(_h: ChaosHistory, d: DeviceHistory, i: number): Violation[] {
  const w = wakeAt(d, i);
  const s = w.summary;
  if (s === undefined) return [];
  const out: Violation[] = [];
  const v = (m: string): number => out.push(violation('status', d.device, w.wake, m));
  const status = s.status;
  const isError = status.startsWith('error: ');
  if (!isError && !status.startsWith('done: ')) v(`the status ${JSON.stringify(status)} starts with neither "done: " nor "error: "`);
  if (s.error !== undefined) {
    if (!isErrorCode(s.error)) v(`the wake failed with ${JSON.stringify(s.error)}, not an error code of src/errors.ts`);
    if (!isError) v(`the wake failed with ${s.error}, yet its status says ${JSON.stringify(status)}`);
    else if (showsCode(s.error) && status.indexOf(`${s.error}:`) < 0) v(`the wake failed with ${s.error}, and its status does not show the code: ${JSON.stringify(status)}`);
  }
  // An error item may also come from an earlier wake whose report could not go out (an
  // interruption recovered from flash, a rejection): the device carries those until reported.
  const carried = i > 0 ? wakeAt(d, i - 1).state?.unreported ?? [] : [];
  const carriedError = carried.some((it) => it.kind === 'error');
  if (isError && !CODE_IN_TEXT.test(status) && !s.outcomes.some((o) => o.action !== 'applied') && !carriedError) {
    v(`the status is an error without a code or a key that failed: ${JSON.stringify(status)}`);
  }
  // A line cut at its length limit may have lost the codes of its last items (the fatal one is checked above).
  const cut = status.endsWith('...');
  if (w.end.kind === 'sleep' && !cut) {
    for (const f of w.fired) {
      const info = kindInfo(f.kind);
      if (info.outcome !== 'error') continue;
      // A device that gave up waiting before the cloud's (faulty) answer came reports the timeout: also true.
      const codes = info.timing === 'request' ? [...info.codes, 'ETIMEOUT', 'EBUDGET'] : info.codes;
      if (!isError || !codes.some((c) => status.indexOf(c) >= 0)) {
        v(`${f.kind} struck (${f.where}${f.detail !== undefined ? `, ${f.detail}` : ''}), and the status does not report ${info.codes.join(' or ')}: ${JSON.stringify(status)}`);
      }
    }
  }
  return out;
}

/** Invariant 6: the status line says what happened. */
export const statusInvariant: InvariantChecker = { name: 'status', afterWake, atEnd: () => [] };
