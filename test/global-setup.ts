import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Build once before the suites: tests exercise dist/ (the bundles and the compiled CLI), as shipped. */
export default function setup(): void {
  if (process.env.DORMOUSE_SKIP_BUILD === '1') return;
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
}
