#!/usr/bin/env node
// The `dormouse` command: a thin launcher for the compiled CLI (npm install builds it).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const main = fileURLToPath(new URL('../dist/node/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write('dormouse: the CLI is not built yet (expected dist/node/cli/main.js); run `npm run build` first\n');
  process.exit(2);
}
const { run } = await import(pathToFileURL(main).href);
process.exitCode = await run(process.argv.slice(2));
