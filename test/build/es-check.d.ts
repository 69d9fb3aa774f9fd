/** The part of es-check's JavaScript API the bundle test uses (the package ships no types). */
declare module 'es-check' {
  /** One check: files, target, options as in an .escheckrc. */
  export interface EsCheckConfig {
    readonly ecmaVersion: string;
    readonly files: readonly string[];
    readonly module?: boolean;
    readonly checkFeatures?: boolean;
    /** Comma-separated feature names to accept. */
    readonly ignore?: string;
  }
  export interface EsCheckResult {
    readonly success: boolean;
    readonly errors: ReadonlyArray<{ readonly file?: string; readonly err?: { readonly message?: string } }>;
  }
  export function runChecks(configs: readonly EsCheckConfig[], options?: { logger?: unknown }): Promise<EsCheckResult>;
}
