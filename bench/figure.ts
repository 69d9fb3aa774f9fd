/** One measured figure of `npm run bench`. */
export interface BenchFigure {
  readonly name: string;
  /** The measurement; `NaN` when it was not taken (a skipped row: `note` says why). */
  readonly value: number;
  readonly unit: string;
  /**
   * A regression guard (same unit): over it, `npm run bench` flags the row OVER and exits 1.
   * Set from measured figures with some headroom (bench/budgets.ts says when and from what).
   */
  readonly budget?: number;
  /**
   * What an issue asked for (same unit): shown as met or by how much it is missed, never failing
   * the run. A target can be far from today's figure; a budget cannot.
   */
  readonly target?: number;
  /** A short qualifier printed after the figure (how it was measured, what it excludes). */
  readonly note?: string;
}

/** What a benchmark may use: where the project is, the environment, and the command's flags. */
export interface BenchContext {
  /** The project root (holds package.json and dist/). */
  readonly root: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `--large`: also run the long variants (the 1,000-device fleet). */
  readonly large: boolean;
  /** Progress lines for a human (stderr); never part of the figures. */
  readonly progress: (line: string) => void;
}

/** A benchmark: a named function producing figures. Registered in bench/index.ts. */
export interface Bench {
  readonly name: string;
  /** One line for the listing. */
  readonly summary: string;
  run(ctx: BenchContext): Promise<readonly BenchFigure[]>;
}

/** True when the figure has a budget and exceeds it. */
export function overBudget(f: BenchFigure): boolean {
  return f.budget !== undefined && f.value > f.budget;
}

/** True when the figure was not measured (NaN value). */
export function isSkipped(f: BenchFigure): boolean {
  return Number.isNaN(f.value);
}

/**
 * `24,000 B`, `37.7 µs`, `0.85 ms`: a number with thousands separators, whole from 100 up, else
 * with up to one decimal (two below 10), and its unit; `-` for a figure not measured.
 */
export function formatQuantity(value: number, unit: string): string {
  if (Number.isNaN(value)) return '-';
  const a = Math.abs(value);
  const text = a >= 100 ? Math.round(value).toLocaleString('en-US') : String(Number(value.toFixed(a < 10 ? 2 : 1)));
  return `${text} ${unit}`.trim();
}

/**
 * How the figure stands against its target: `target 24,000 B: met` or
 * `target 24,000 B: over by 63,511 B`; undefined without a target or a value.
 */
export function targetText(f: BenchFigure): string | undefined {
  if (f.target === undefined || isSkipped(f)) return undefined;
  const head = `target ${formatQuantity(f.target, f.unit)}`;
  return f.value <= f.target ? `${head}: met` : `${head}: over by ${formatQuantity(f.value - f.target, f.unit)}`;
}

/** A row for a figure that could not be measured here, saying why (`skipped: set ESPRUINO_BIN`). */
export function skippedFigure(name: string, why: string, unit = ''): BenchFigure {
  return { name, value: NaN, unit, note: `skipped: ${why}` };
}
