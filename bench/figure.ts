/** One measured figure of `npm run bench`. */
export interface BenchFigure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The figure must not exceed this (same unit); `npm run bench` flags and fails on an overrun. */
  readonly budget?: number;
  /** A short qualifier printed after the figure (how it was measured, what it excludes). */
  readonly note?: string;
}

/** What a benchmark may use: where the project is and the environment (e.g. ESPRUINO_BIN). */
export interface BenchContext {
  /** The project root (holds package.json and dist/). */
  readonly root: string;
  readonly env: Readonly<Record<string, string | undefined>>;
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
