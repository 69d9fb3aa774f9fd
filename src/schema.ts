/**
 * Validation of desired values against a thing's schema. A desired document comes from the
 * cloud and may hold anything (wrong types, NaN-like strings, huge strings, nested junk): a value
 * either passes and is used as it is, or is rejected with a message saying what was expected and
 * what came instead. Never throws, never copies unvalidated data.
 */
import { describeValue, type JsonValue } from './json.js';

/** Flags every field may carry. */
export interface FieldFlags {
  /**
   * The handler may simply run again if a wake died inside it (no exactly-once intent record).
   * Default false: a handler is assumed to have side effects.
   */
  readonly idempotent?: boolean;
  /**
   * A command: it runs again when the same value is set again (the key's desired metadata
   * timestamp is newer than the one last applied). Default false.
   */
  readonly command?: boolean;
}

/** A numeric field: `integer` rejects fractions. */
export interface NumberField extends FieldFlags {
  readonly type: 'integer' | 'number';
  readonly min?: number;
  readonly max?: number;
  readonly default?: number;
}

/** A string field, at most `maxLength` characters (default {@link DEFAULT_MAX_STRING}). */
export interface StringField extends FieldFlags {
  readonly type: 'string';
  readonly maxLength?: number;
  readonly default?: string;
}

/** A boolean field. */
export interface BooleanField extends FieldFlags {
  readonly type: 'boolean';
  readonly default?: boolean;
}

/** One of a fixed list of strings or numbers. */
export interface EnumField extends FieldFlags {
  readonly type: 'enum';
  readonly values: readonly (string | number)[];
  readonly default?: string | number;
}

/** The type and range of one desired key. */
export type FieldSpec = NumberField | StringField | BooleanField | EnumField;

/** A thing's keys: `{ position: { type: 'number', min: 0, max: 100 } }`. */
export type ThingSchema = Readonly<Record<string, FieldSpec>>;

/** Longest string a `string` field accepts when it names no `maxLength`. */
export const DEFAULT_MAX_STRING = 64;

/** Result of {@link validateValue}. */
export type Validation =
  | { readonly ok: true; readonly value: JsonValue }
  | { readonly ok: false; readonly expected: string; readonly got: string };

function range(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` ${min}..${max}`;
  if (min !== undefined) return ` >= ${min}`;
  if (max !== undefined) return ` <= ${max}`;
  return '';
}

/** What a field expects, in words (`an integer 5..600`). */
export function describeExpected(spec: FieldSpec): string {
  switch (spec.type) {
    case 'integer':
      return `an integer${range(spec.min, spec.max)}`;
    case 'number':
      return `a number${range(spec.min, spec.max)}`;
    case 'string':
      return `a string of at most ${spec.maxLength === undefined ? DEFAULT_MAX_STRING : spec.maxLength} characters`;
    case 'boolean':
      return 'true or false';
    case 'enum': {
      const names: string[] = [];
      for (let i = 0; i < spec.values.length; i++) names.push(JSON.stringify(spec.values[i]));
      return `one of ${names.join(', ')}`;
    }
    default:
      return 'a known field type';
  }
}

/** What a value is, in words safe for a status line (never long). */
export function describeGot(v: unknown): string {
  if (typeof v === 'string' && v.length > 40) return `a string of ${v.length} characters`;
  if (v instanceof Array) return v.length > 3 ? `an array of ${v.length} items` : describeValue(v, 40);
  if (v !== null && typeof v === 'object') return `an object ${describeValue(v, 30)}`;
  return describeValue(v, 40);
}

function fail(spec: FieldSpec, v: unknown): Validation {
  return { ok: false, expected: describeExpected(spec), got: describeGot(v) };
}

/** Checks `v` against `spec`. */
export function validateValue(spec: FieldSpec, v: unknown): Validation {
  switch (spec.type) {
    case 'integer':
    case 'number': {
      if (typeof v !== 'number' || !isFinite(v)) return fail(spec, v);
      if (spec.type === 'integer' && Math.floor(v) !== v) return fail(spec, v);
      if (spec.min !== undefined && v < spec.min) return fail(spec, v);
      if (spec.max !== undefined && v > spec.max) return fail(spec, v);
      return { ok: true, value: v };
    }
    case 'string': {
      const max = spec.maxLength === undefined ? DEFAULT_MAX_STRING : spec.maxLength;
      if (typeof v !== 'string' || v.length > max) return fail(spec, v);
      return { ok: true, value: v };
    }
    case 'boolean':
      return typeof v === 'boolean' ? { ok: true, value: v } : fail(spec, v);
    case 'enum':
      if ((typeof v === 'string' || typeof v === 'number') && spec.values.indexOf(v) >= 0) return { ok: true, value: v };
      return fail(spec, v);
    default:
      return { ok: false, expected: 'a known field type', got: describeGot(v) };
  }
}

/** True when `spec` looks like a field spec (used to check a subclass's static schema). */
export function isFieldSpec(spec: unknown): spec is FieldSpec {
  if (spec === null || typeof spec !== 'object') return false;
  const t = (spec as { type?: unknown }).type;
  if (t === 'enum') return (spec as { values?: unknown }).values instanceof Array;
  return t === 'integer' || t === 'number' || t === 'string' || t === 'boolean';
}
