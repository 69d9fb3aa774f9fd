import { describe, expect, it } from 'vitest';
import { AwsError } from '../../src/aws-error.js';
import { DormouseError } from '../../src/errors.js';

describe('aws error', () => {
  it('aws error: fields come from the wire format', () => {
    const e = new AwsError(
      {
        status: 404,
        headers: { 'x-amzn-errortype': 'ResourceNotFoundException:', 'x-amzn-requestid': 'r-1', date: 'Sun, 06 Nov 1994 08:49:37 GMT' },
        body: '{"code":404,"message":"No shadow exists with name: \'t1\'"}',
      },
      'GET /things/t1/shadow',
    );
    expect(e).toBeInstanceOf(AwsError);
    expect(e).toBeInstanceOf(DormouseError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('AwsError');
    expect(e.code).toBe('ECLOUD');
    expect(e.status).toBe(404);
    expect(e.type).toBe('ResourceNotFoundException');
    expect(e.serverMessage).toBe("No shadow exists with name: 't1'");
    expect(e.requestId).toBe('r-1');
    expect(e.date).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
    expect(e.message).toBe("GET /things/t1/shadow: HTTP 404 ResourceNotFoundException: No shadow exists with name: 't1'");
  });

  it.each([[401, 'EAUTH'], [403, 'EAUTH'], [400, 'ECLOUD'], [429, 'ECLOUD'], [500, 'ECLOUD'], [503, 'ECLOUD']])('aws error: status %i is %s', (status, code) => {
    expect(new AwsError({ status, headers: {}, body: '' }).code).toBe(code);
  });

  it('aws error: the type drops everything from the first colon; without the header it is the status', () => {
    expect(new AwsError({ status: 403, headers: { 'x-amzn-errortype': 'ForbiddenException:http://internal.amazon.com/x/' }, body: '' }).type).toBe('ForbiddenException');
    expect(new AwsError({ status: 409, headers: {}, body: '' }).type).toBe('409');
  });

  it('aws error: a non-JSON body is the message, truncated; an invalid Date is no date', () => {
    const e = new AwsError({ status: 502, headers: { date: 'garbage' }, body: 'x'.repeat(1000) });
    expect(e.serverMessage.length).toBeLessThanOrEqual(203);
    expect(e.body.length).toBe(512);
    expect(e.date).toBeUndefined();
    expect(e.requestId).toBeUndefined();
  });
});
