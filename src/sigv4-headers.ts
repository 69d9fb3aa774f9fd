/**
 * Canonical headers of SigV4: lowercase names, values trimmed with inner runs of spaces/tabs
 * collapsed, repeated headers joined with `,` in arrival order, sorted by name.
 */

/** One header as it arrived (or will be sent): name as written, value as is. */
export type HeaderEntry = readonly [string, string];
/** Headers in arrival order; a name may repeat (that is how repeated headers arrive). */
export type HeaderList = readonly HeaderEntry[];

/** Header record as callers write it: a repeated header is an array of its values. */
export type HeaderRecord = Readonly<Record<string, string | readonly string[]>>;

/** A header record as a {@link HeaderList}, in the record's key order, array values expanded. */
export function headerListFromRecord(headers: HeaderRecord | undefined): HeaderEntry[] {
  const out: HeaderEntry[] = [];
  if (!headers) return out;
  for (const name in headers) {
    if (!Object.prototype.hasOwnProperty.call(headers, name)) continue;
    const v = headers[name] as string | readonly string[];
    if (typeof v === 'string') out.push([name, v]);
    else for (let i = 0; i < v.length; i++) out.push([name, v[i] as string]);
  }
  return out;
}

function isBlank(c: string): boolean {
  return c === ' ' || c === '\t';
}

/** Trim spaces/tabs at both ends and collapse inner runs of them to one space. */
function trimAll(line: string): string {
  const last = line.length - 1;
  if (line.indexOf('  ') < 0 && line.indexOf('\t') < 0 && line.charAt(0) !== ' ' && line.charAt(last) !== ' ') {
    return line; // already canonical (the usual case): skip the per-character rebuild
  }
  let out = '';
  let pendingSpace = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (isBlank(c)) {
      pendingSpace = out.length > 0;
      continue;
    }
    if (pendingSpace) out += ' ';
    pendingSpace = false;
    out += c;
  }
  return out;
}

/**
 * The canonical form of one header value. A value folded over several lines (obsolete HTTP line
 * folding, as in the suite's `get-header-value-multiline`) counts as one value per line, so its
 * lines are trimmed and joined with `,` like repeated headers; blank lines are dropped.
 */
export function canonicalHeaderValue(value: string): string {
  if (value.indexOf('\n') < 0 && value.indexOf('\r') < 0) return trimAll(value);
  const lines = value.split('\r').join('\n').split('\n');
  let out = '';
  for (let i = 0; i < lines.length; i++) {
    const line = trimAll(lines[i] as string);
    if (line === '') continue;
    out += (out === '' ? '' : ',') + line;
  }
  return out;
}

/** Names as SigV4 lists them: lowercased, without duplicates, sorted (byte order). */
export function normalizeSignedHeaderNames(names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < names.length; i++) {
    const n = (names[i] as string).toLowerCase();
    if (out.indexOf(n) < 0) out.push(n);
  }
  // Unique names: no ties, so sort stability does not matter.
  out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return out;
}

/**
 * The canonical headers block: one `name:value\n` line per signed name, names as given by
 * {@link normalizeSignedHeaderNames}. Values of every header with that name (any case) are
 * canonicalized and joined with `,` in arrival order. A signed name with no header gets an
 * empty value (a verifier then simply computes a different signature).
 */
export function canonicalHeaders(headers: HeaderList, signedHeaders: readonly string[]): string {
  const names = normalizeSignedHeaderNames(signedHeaders);
  let out = '';
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    let joined = '';
    let first = true;
    for (let j = 0; j < headers.length; j++) {
      const h = headers[j] as HeaderEntry;
      if (h[0].toLowerCase() !== name) continue;
      joined += (first ? '' : ',') + canonicalHeaderValue(h[1]);
      first = false;
    }
    out += name + ':' + joined + '\n';
  }
  return out;
}
