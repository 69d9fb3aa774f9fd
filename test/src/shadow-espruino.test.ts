import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildFixture } from '../build/build-fixture.js';
import { ESPRUINO_BIN, runOnEspruino } from '../support/espruino-bin.js';
import { runChecks } from './fixtures/client-checks.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/client-checks.ts', import.meta.url));

describe('cloud client code on the real Espruino interpreter', () => {
  it('shadow/sntp/config: the checks give the same lines in Node', async () => {
    const lines = await runChecks();
    // a few anchors, so the comparison below compares something meaningful
    expect(lines).toContain('decode ETIME expected server mode 4, got 3');
    expect(lines.some((l) => l.startsWith("config ECONFIG aws_iot_cfg.txt: expected a JSON object like"))).toBe(true);
    expect(lines.filter((l) => l.startsWith('client aws ECLOUD|404|ResourceNotFoundException'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('client EBADDOC'))).toHaveLength(2);
    expect(lines.filter((l) => l.startsWith('lenient ') && l.includes('EBADDOC'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('date 7'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('endpoint ok'))).toHaveLength(4);
    expect(lines).toContain('date undefined');
  });

  it.skipIf(!ESPRUINO_BIN)('shadow/sntp/config: Espruino 2v29 gives exactly the lines Node gives', async () => {
    const expected = await runChecks();
    const code = await buildFixture({ name: 'client-checks', input: FIXTURE, globalName: 'checks' });
    const program = `${code}\nchecks.runChecks().then(function (l) { for (var i = 0; i < l.length; i++) print('@@ ' + l[i]); print('@@ @done'); }, function (e) { print('@@ @fail ' + e); });\n`;
    const run = await runOnEspruino(program, { timeoutMs: 120_000 });
    expect(run.uncaught).toEqual([]);
    const got = run.lines.filter((l) => l.startsWith('@@')).map((l) => l.substring(3));
    expect(got[got.length - 1]).toBe('@done');
    const lines = got.slice(0, -1);
    // Exactly Node's lines, except where Espruino's lenient JSON.parse accepts what Node rejects
    // (single quotes, trailing commas): there the device may accept, but only with valid types.
    expect(lines.filter((l) => !l.startsWith('lenient '))).toEqual(expected.filter((l) => !l.startsWith('lenient ')));
    const lenient = lines.filter((l) => l.startsWith('lenient '));
    expect(lenient).toHaveLength(expected.filter((l) => l.startsWith('lenient ')).length);
    for (const l of lenient) expect(l).toMatch(/^lenient (ok |client ok |ECONFIG |EBADDOC )/);
    console.info(`shadow-espruino: lenient on Espruino: ${lenient.map((l) => l.substring(0, 24)).join(' | ')}`);
  }, 180_000);
});
