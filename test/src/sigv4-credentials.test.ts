import { describe, expect, it } from 'vitest';
import { credentialsFromEnv, parseCredentialsFile } from '../../src/credentials.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a throw');
}

describe('credentials: aws_credentials.txt (seed format)', () => {
  it('reads akey/skey and the optional token', () => {
    expect(parseCredentialsFile(`{"akey": "AKIDEXAMPLE", "skey": "${SECRET}"}`)).toEqual({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET });
    expect(parseCredentialsFile(`{"akey": "AKIDEXAMPLE", "skey": "${SECRET}", "token": "TOK", "other": 1}`)).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: SECRET,
      sessionToken: 'TOK',
    });
    expect(parseCredentialsFile(`{"akey": "AKIDEXAMPLE", "skey": "${SECRET}", "token": null}`)).toEqual({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET });
  });

  it.each([
    ['not JSON', `{"akey": "AKIDEXAMPLE", "skey": "${SECRET}"`, 'aws_credentials.txt: expected JSON like'],
    ['an array', `["${SECRET}"]`, 'expected a JSON object like {"akey": "...", "skey": "..."}, got an array'],
    ['akey missing', `{"skey": "${SECRET}"}`, 'field "akey": expected a non-empty string without spaces'],
    ['akey a number', `{"akey": 42, "skey": "${SECRET}"}`, 'field "akey": expected a non-empty string without spaces, \'/\', \',\' or \'=\', got a number'],
    ['fields swapped', `{"akey": "${SECRET}", "skey": "AKIDEXAMPLE"}`, 'field "akey": expected a non-empty string without spaces, \'/\', \',\' or \'=\', got a string of 40 characters holding one of them'],
    ['skey empty', `{"akey": "AKIDEXAMPLE", "skey": ""}`, 'field "skey": expected a non-empty string, got a string of 0 characters'],
    ['skey an object', `{"akey": "AKIDEXAMPLE", "skey": {"v": "${SECRET}"}}`, 'field "skey": expected a non-empty string, got an object'],
    ['token a number', `{"akey": "AKIDEXAMPLE", "skey": "${SECRET}", "token": 5}`, 'field "token": expected a non-empty string, got a number'],
  ])('%s: ECONFIG naming file and field, never the secret', (_name, text, message) => {
    const e = errorOf(() => parseCredentialsFile(text));
    expect(e.code).toBe('ECONFIG');
    expect(e.message).toContain(message);
    expect(e.message).not.toContain(SECRET);
    expect(e.message).not.toContain('EXAMPLEKEY');
  });

  it('names the file it was given', () => {
    expect(errorOf(() => parseCredentialsFile('{}', 'creds.json')).message).toMatch(/^creds\.json: field "akey"/);
  });
});

describe('credentials: environment', () => {
  it('reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN', () => {
    expect(credentialsFromEnv({})).toBeUndefined();
    expect(credentialsFromEnv({ AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: SECRET })).toEqual({ accessKeyId: 'AK', secretAccessKey: SECRET });
    expect(credentialsFromEnv({ AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: 'T' })).toEqual({
      accessKeyId: 'AK',
      secretAccessKey: SECRET,
      sessionToken: 'T',
    });
  });

  it('one key without the other is ECONFIG naming the missing variable', () => {
    expect(errorOf(() => credentialsFromEnv({ AWS_ACCESS_KEY_ID: 'AK' })).message).toContain('expected AWS_SECRET_ACCESS_KEY too');
    const e = errorOf(() => credentialsFromEnv({ AWS_SECRET_ACCESS_KEY: SECRET }));
    expect(e.code).toBe('ECONFIG');
    expect(e.message).toContain('expected AWS_ACCESS_KEY_ID too');
    expect(e.message).not.toContain(SECRET);
  });
});
