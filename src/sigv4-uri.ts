/**
 * The canonical URI of SigV4 for every service but S3: the wire path with dot segments and empty
 * segments removed, each segment percent-encoded once more (`my%3Athing` → `my%253Athing`).
 */
import { percentEncodeBytes } from './sigv4-encode.js';
import { utf8Encode } from './utf8.js';

/**
 * Remove `.` and empty segments and resolve `..` (never above the root) on a wire path, working
 * on the text as sent: `%2E` is not a dot and `%2F` not a separator. The result starts with `/`
 * and keeps a trailing `/` when the path had one and anything is left (`//example//` →
 * `/example/`, `/a/b/..` → `/a`), the convention of the AWS SDKs and the suite.
 */
export function normalizePath(rawPath: string): string {
  const parts = rawPath.split('/');
  const kept: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (kept.length > 0) kept.pop();
      continue;
    }
    kept.push(p);
  }
  if (kept.length === 0) return '/';
  const trailing = rawPath.charAt(rawPath.length - 1) === '/' ? '/' : '';
  return '/' + kept.join('/') + trailing;
}

/**
 * The canonical URI of a wire path (no query): normalized, then every byte of its UTF-8 form
 * percent-encoded except unreserved characters and `/`. Raw characters (a space, `ሴ`) are encoded
 * once, escapes already on the wire twice (`%3A` → `%253A`), which is what AWS computes.
 * `utf8` is the engine's encoder (`crypto.utf8`); the default suits UTF-16 engines (Node).
 */
export function canonicalUri(rawPath: string, utf8: (text: string) => Uint8Array = utf8Encode): string {
  return percentEncodeBytes(utf8(normalizePath(rawPath)), true);
}
