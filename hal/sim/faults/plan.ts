/**
 * The fault plan: a seed and a list of rules, as JSON (`--faults FILE`, or `DORMOUSE_FAULTS`
 * holding a file name or the JSON itself). Each rule names a fault kind and when it strikes:
 *
 * ```json
 * { "seed": 42,
 *   "rules": [
 *     { "kind": "wifi-fail", "probability": 0.02 },
 *     { "kind": "http-503", "probability": 0.02, "request": "POST" },
 *     { "kind": "power-cut", "probability": 0.01, "at": "handler" },
 *     { "kind": "bit-flip", "probability": 0.005, "file": "state" },
 *     { "kind": "http-503", "wakes": [300, 308] },
 *     { "kind": "never-ends", "device": 3, "wake": 57 } ] }
 * ```
 *
 * `probability` is the chance per wake (default 1); `wake`/`wakes` (1-based, the device's wake
 * count) and `device` (1-based index in a fleet) restrict a rule; the other fields are the
 * kind's own (see `kinds.ts`). A plan that does not parse is refused with a message naming the
 * field, what was expected and what came.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  FAULT_KIND_NAMES, FAULT_KINDS, GARBAGE_VARIANTS, HTTP_CUT_VARIANTS, isFaultKind, POWER_CUT_POINTS, RECORD_TARGETS, REQUEST_SELECTORS, SNTP_BOGUS_VARIANTS,
} from './kinds.js';
import type { FaultField, FaultKind, PowerCutPoint, RecordTarget, RequestSelector } from './kinds.js';

/** One rule of a plan. */
export interface FaultRule {
  readonly kind: FaultKind;
  /** Chance per wake (per request for a standalone cloud), 0..1; default 1. */
  readonly probability: number;
  /** Only this wake of each device (1-based). */
  readonly wake?: number;
  /** Only wakes in this range, both ends included. */
  readonly wakes?: readonly [number, number];
  /** Only these devices (1-based fleet indices). */
  readonly devices?: readonly number[];
  /** Only this thing (the cloud, deciding on its own, knows things, not devices). */
  readonly thing?: string;
  readonly request?: RequestSelector;
  readonly at?: PowerCutPoint;
  /** Power cut at `any`, `handler` or `write`: the n-th HAL call, blink or flash write of the wake. */
  readonly nth?: number;
  readonly delayMs?: number;
  readonly skewMs?: number;
  readonly jumpMs?: number;
  readonly variant?: string;
  readonly file?: RecordTarget;
}

/** A parsed plan. */
export interface FaultPlan {
  /** Seed of every random decision; undefined: the caller's (`dormouse chaos --seed`). */
  readonly seed?: number;
  readonly rules: readonly FaultRule[];
}

/** A plan that is not what it should be. */
export class FaultPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultPlanError';
  }
}

const COMMON_FIELDS = ['kind', 'probability', 'wake', 'wakes', 'device', 'thing', 'comment'];
/** Largest delay, skew or jump a rule may ask for (ms): ten days. */
const MAX_MS = 10 * 24 * 3600 * 1000;

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.substring(0, 37)}...` : v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

function oneOf<T extends string>(where: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || allowed.indexOf(v as T) < 0) throw new FaultPlanError(`${where}: expected one of ${allowed.join(', ')}, got ${describe(v)}`);
  return v as T;
}

function intIn(where: string, v: unknown, min: number, max: number): number {
  if (!isInt(v) || v < min || v > max) throw new FaultPlanError(`${where}: expected an integer ${min}..${max}, got ${describe(v)}`);
  return v;
}

function parseRule(v: unknown, where: string): FaultRule {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new FaultPlanError(`${where}: expected an object like {"kind": "wifi-fail", "probability": 0.02}, got ${describe(v)}`);
  const o = v as Record<string, unknown>;
  if (!isFaultKind(o['kind'])) throw new FaultPlanError(`${where}.kind: expected one of ${FAULT_KIND_NAMES.join(', ')}, got ${describe(o['kind'])}`);
  const kind = o['kind'];
  const own: readonly FaultField[] = FAULT_KINDS[kind].fields;
  for (const k of Object.keys(o)) {
    if (COMMON_FIELDS.indexOf(k) < 0 && own.indexOf(k as FaultField) < 0) {
      throw new FaultPlanError(`${where}: unknown field "${k}" for kind ${kind} (expected ${[...COMMON_FIELDS.filter((c) => c !== 'comment'), ...own].join(', ')})`);
    }
  }
  const rule: { -readonly [K in keyof FaultRule]: FaultRule[K] } = { kind, probability: 1 };
  if (o['probability'] !== undefined) {
    const p = o['probability'];
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new FaultPlanError(`${where}.probability: expected a number 0..1, got ${describe(p)}`);
    rule.probability = p;
  }
  if (o['wake'] !== undefined) rule.wake = intIn(`${where}.wake`, o['wake'], 1, Number.MAX_SAFE_INTEGER);
  if (o['wakes'] !== undefined) {
    const w = o['wakes'];
    if (!Array.isArray(w) || w.length !== 2 || !isInt(w[0]) || !isInt(w[1]) || w[0] < 1 || w[1] < w[0]) {
      throw new FaultPlanError(`${where}.wakes: expected [first, last] with 1 <= first <= last, got ${Array.isArray(w) ? JSON.stringify(w) : describe(w)}`);
    }
    rule.wakes = [w[0], w[1]];
  }
  if (o['device'] !== undefined) {
    const d = o['device'];
    const list = Array.isArray(d) ? d : [d];
    if (list.length === 0 || !list.every((x) => isInt(x) && x >= 1)) throw new FaultPlanError(`${where}.device: expected a device number >= 1 or an array of them, got ${describe(d)}`);
    rule.devices = list as number[];
  }
  if (o['thing'] !== undefined) {
    if (typeof o['thing'] !== 'string' || o['thing'] === '') throw new FaultPlanError(`${where}.thing: expected a thing name, got ${describe(o['thing'])}`);
    rule.thing = o['thing'];
  }
  if (o['request'] !== undefined) rule.request = oneOf(`${where}.request`, o['request'], REQUEST_SELECTORS);
  if (o['at'] !== undefined) rule.at = oneOf(`${where}.at`, o['at'], POWER_CUT_POINTS);
  if (o['nth'] !== undefined) rule.nth = intIn(`${where}.nth`, o['nth'], 1, 1_000_000);
  if (o['delayMs'] !== undefined) rule.delayMs = intIn(`${where}.delayMs`, o['delayMs'], 0, MAX_MS);
  if (o['skewMs'] !== undefined) rule.skewMs = intIn(`${where}.skewMs`, o['skewMs'], -MAX_MS, MAX_MS);
  if (o['jumpMs'] !== undefined) rule.jumpMs = intIn(`${where}.jumpMs`, o['jumpMs'], -MAX_MS, MAX_MS);
  if (o['file'] !== undefined) rule.file = oneOf(`${where}.file`, o['file'], RECORD_TARGETS);
  if (o['variant'] !== undefined) {
    const variants: readonly string[] = kind === 'sntp-bogus' ? SNTP_BOGUS_VARIANTS : kind === 'power-cut' ? HTTP_CUT_VARIANTS : GARBAGE_VARIANTS;
    rule.variant = oneOf(`${where}.variant`, o['variant'], variants);
  }
  return rule;
}

/** Validate a parsed JSON plan; `source` names it in errors (a file name, `DORMOUSE_FAULTS`). */
export function parseFaultPlan(v: unknown, source: string): FaultPlan {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new FaultPlanError(`${source}: expected a JSON object like {"rules": [...]}, got ${describe(v)}`);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k !== 'seed' && k !== 'rules' && k !== 'comment') throw new FaultPlanError(`${source}: unknown field "${k}" (expected seed, rules, comment)`);
  }
  let seed: number | undefined;
  if (o['seed'] !== undefined) seed = intIn(`${source}: seed`, o['seed'], 0, 4294967295);
  const rules = o['rules'];
  if (!Array.isArray(rules)) throw new FaultPlanError(`${source}: rules: expected an array of rules, got ${describe(rules)}`);
  const parsed = rules.map((r, i) => parseRule(r, `${source}: rules[${i}]`));
  return seed !== undefined ? { seed, rules: parsed } : { rules: parsed };
}

/** Parse plan text (JSON). */
export function parseFaultPlanText(text: string, source: string): FaultPlan {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new FaultPlanError(`${source}: expected JSON, got text that does not parse (${(e as Error).message})`);
  }
  return parseFaultPlan(v, source);
}

/** Read and parse a plan file. */
export function readFaultPlan(file: string): FaultPlan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new FaultPlanError(`${file}: expected a fault plan file, got ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseFaultPlanText(text, file);
}

/** Name of the environment variable holding a plan (a file name, or the JSON itself). */
export const FAULTS_ENV = 'DORMOUSE_FAULTS';

/** The plan `DORMOUSE_FAULTS` names, if set: JSON when it starts with `{`, else a file relative to `cwd`. */
export function faultPlanFromEnv(env: Readonly<Record<string, string | undefined>>, cwd: string): FaultPlan | undefined {
  const v = env[FAULTS_ENV];
  if (v === undefined || v.trim() === '') return undefined;
  return v.trim().startsWith('{') ? parseFaultPlanText(v, FAULTS_ENV) : readFaultPlan(resolve(cwd, v));
}
