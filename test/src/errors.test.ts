import { describe, expect, it } from 'vitest';
import { AwsError } from '../../src/aws-error.js';
import { DormouseError, isErrorCode, toDormouseError } from '../../src/errors.js';

class RetryError extends DormouseError {
  constructor(message: string) {
    super('ETIMEOUT', message);
  }
}

describe('errors', () => {
  it('errors: a subclass of DormouseError is an instance of both classes and of Error', () => {
    const e = new RetryError('gave up after 3 attempts');
    expect(e).toBeInstanceOf(RetryError);
    expect(e).toBeInstanceOf(DormouseError);
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('ETIMEOUT');
    expect(e.message).toBe('gave up after 3 attempts');
  });

  it('errors: toDormouseError keeps a HAL failure code and its message', () => {
    const hal = Object.assign(new Error('wifi join failed (no AP)'), { code: 'ENET' });
    const e = toDormouseError(hal);
    expect(e).toBeInstanceOf(DormouseError);
    expect(e.code).toBe('ENET');
    expect(e.message).toBe('wifi join failed (no AP)');
  });

  it('errors: an unknown throwable becomes EINTERNAL with its text, a DormouseError passes through', () => {
    expect(toDormouseError('boom').code).toBe('EINTERNAL');
    expect(toDormouseError({ code: 'ENOPE', message: 'x' }).code).toBe('EINTERNAL');
    expect(toDormouseError(new TypeError('bad')).message).toBe('bad');
    const original = new DormouseError('ECONFIG', 'aws_iot_cfg.txt: missing');
    expect(toDormouseError(original)).toBe(original);
    expect(isErrorCode('EPOWER')).toBe(true);
    expect(isErrorCode('ENOPE')).toBe(false);
  });

  it('errors: an AwsError from the shadow client is a DormouseError', () => {
    const names = Object.getOwnPropertyNames(AwsError.prototype);
    expect(names).toContain('constructor');
    expect(AwsError.prototype).toBeInstanceOf(DormouseError);
  });
});
