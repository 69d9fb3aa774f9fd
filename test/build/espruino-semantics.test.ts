/**
 * The language features device code uses, compiled with the project's bundle settings, must behave
 * on Espruino exactly as in Node. The fixture (fixtures/semantics.ts) runs three ways: natively in
 * Node (the reference), as a bundle in the Espruino-shaped sandbox (always), and as a bundle on the
 * real interpreter (when ESPRUINO_BIN is set). The last block shows, on the real interpreter, that
 * each non-obvious build setting is needed: without it the same fixture breaks.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEspruinoSandbox } from '../support/espruino-sandbox.js';
import { ESPRUINO_BIN, runOnEspruino } from '../support/espruino-bin.js';
import { buildFixture, type BuildFixtureOptions } from './build-fixture.js';
import { main } from './fixtures/semantics.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/semantics.ts', import.meta.url));
const DRIVER = `
fixture.main(function (line) { print(line); }).then(
  function () { print('@@end'); },
  function (e) { print('@@error ' + e + ' ' + (e && e.stack)); }
);
`;

function build(variant: string, options: Partial<BuildFixtureOptions> = {}): Promise<string> {
  return buildFixture({ name: `fixture-semantics-${variant}`, input: FIXTURE, globalName: 'fixture', ...options });
}

async function nodeReference(): Promise<string[]> {
  const lines: string[] = [];
  await main((line) => lines.push(line));
  lines.push('@@end');
  return lines;
}

async function runInSandbox(code: string): Promise<string[]> {
  const sandbox = createEspruinoSandbox();
  const finished = new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (sandbox.output.some((l) => l === '@@end' || l.startsWith('@@error'))) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  sandbox.run(code + DRIVER, 'semantics.min.js');
  await finished;
  sandbox.dispose();
  return sandbox.output;
}

let reference: string[];
let bundle: string;

beforeAll(async () => {
  reference = await nodeReference();
  bundle = await build('default');
}, 120_000);

describe('espruino semantics: the fixture compiled with the bundle settings', () => {
  it('reference: Node runs the fixture to the end', () => {
    expect(reference.length).toBeGreaterThan(30);
    expect(reference.at(-2)).toBe('done');
  });

  it('sandbox: output is identical to Node', async () => {
    expect(await runInSandbox(bundle)).toEqual(reference);
  });

  it('bundle: no array holes survive (Espruino cannot skip them in an untaken switch case)', () => {
    expect(bundle).not.toMatch(/\[[^\]"']*,\s*,/);
  });
});

describe.skipIf(!ESPRUINO_BIN)('espruino semantics on the real interpreter', () => {
  it('output is identical to Node, with no uncaught error', async () => {
    const run = await runOnEspruino(bundle + DRIVER);
    expect(run.uncaught).toEqual([]);
    expect(run.lines).toEqual(reference);
    expect(run.exitCode).toBe(0);
  });

  it('needed: without terser (plain ES5 from TypeScript) classes break: no function hoisting', async () => {
    const run = await runOnEspruino((await build('unminified', { minify: false })) + DRIVER);
    expect(run.lines).not.toEqual(reference);
    expect(run.output).toContain("Can't read property 'prototype' of undefined");
  });

  it('needed: with the published tslib, inherited statics are missing', async () => {
    const helpers = fileURLToPath(new URL('../../node_modules/tslib/tslib.es6.js', import.meta.url));
    const run = await runOnEspruino((await build('published-tslib', { helpers })) + DRIVER);
    expect(run.lines).not.toEqual(reference);
    expect(run.output).toContain('Function "make" not found');
  });

  it('needed: with array holes left in, the async state machine throws a SyntaxError', async () => {
    const run = await runOnEspruino((await build('holes', { fillHoles: false })) + DRIVER);
    expect(run.lines).not.toEqual(reference);
    expect(run.output).toContain("Got ',' expected EOF");
  });
});
