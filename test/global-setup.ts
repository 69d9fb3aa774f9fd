import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the build reads: when none of it changed since the last successful build, it is skipped. */
const INPUT_DIRS = ['src', 'hal', 'firmware', 'types', 'cli', 'cloud', 'bench'];
const INPUT_FILES = ['package.json', 'package-lock.json', 'rollup.config.mjs', 'tsconfig.json', 'tsconfig.node.json', 'tsconfig.device.json', 'tsconfig.bundle.json'];
/** What a successful build leaves (the stamp is only trusted when these exist). */
const OUTPUTS = ['dist/node/cli/main.js', 'dist/app.min.js'];
const STAMP = 'dist/.build-stamp';

function walk(root: string, dir: string, out: string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(join(root, dir));
  } catch {
    return;
  }
  for (const e of entries) {
    const rel = join(dir, e);
    const st = statSync(join(root, rel));
    if (st.isDirectory()) walk(root, rel, out);
    else out.push(`${rel}\t${st.size}\t${st.mtimeMs}`);
  }
}

/** Fingerprint of the build's inputs: every file's path, size and modification time. */
function fingerprint(root: string): string {
  const lines: string[] = [];
  for (const d of INPUT_DIRS) walk(root, d, lines);
  for (const f of INPUT_FILES) {
    const p = join(root, f);
    if (existsSync(p)) {
      const st = statSync(p);
      lines.push(`${relative(root, p)}\t${st.size}\t${st.mtimeMs}`);
    }
  }
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex');
}

/**
 * Build once before the suites: tests exercise dist/ (the bundles and the compiled CLI), as
 * shipped. Skipped with DORMOUSE_SKIP_BUILD=1, and when no input changed since the last
 * successful build (DORMOUSE_FORCE_BUILD=1 builds anyway).
 */
export default function setup(): void {
  if (process.env.DORMOUSE_SKIP_BUILD === '1') return;
  const root = fileURLToPath(new URL('..', import.meta.url));
  const stampPath = join(root, STAMP);
  const before = fingerprint(root);
  const fresh =
    process.env.DORMOUSE_FORCE_BUILD !== '1' &&
    OUTPUTS.every((o) => existsSync(join(root, o))) &&
    existsSync(stampPath) &&
    readFileSync(stampPath, 'utf8').trim() === before;
  if (fresh) return;
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  // Stamp what was built from: if a file changed during the build, the next run rebuilds.
  writeFileSync(stampPath, `${before}\n`);
}
