import { describe, expect, it } from 'vitest';
import { errorStatuses, HeraldError, isHeraldError } from '@herald/core';
import { errorFactory, optionError } from '@herald/core/store';
import { TransportError, toTransportError } from '@herald/core/transport';

describe('HeraldError', () => {
  it('maps every row of the reference error table to a code and its status', () => {
    const table: Array<[keyof typeof errorStatuses, number]> = [
      ['ARRAY_BODY', 400],
      ['CONTRACT_MISMATCH', 400],
      ['CALLER_BLOCKED', 403],
      ['METHOD_NOT_ALLOWED', 405],
      ['UNSUPPORTED_HEADER', 400],
      ['UNSUPPORTED_CONTENT_ENCODING', 415],
      ['INVALID_PAYLOAD', 400],
      ['CALLER_UNAUTHORIZED', 403],
      ['INVALID_PAYLOAD_DATA_TYPE', 401],
      ['THROTTLED', 406],
    ];
    for (const [code, status] of table) expect(new HeraldError(code, 'x').status).toBe(status);
  });

  it('carries a cause, issues and a retry hint, and serializes without the stack', () => {
    const cause = new Error('root');
    const error = new HeraldError('THROTTLED', 'slow down', { cause, retryAfterSeconds: 3 });
    expect(error.cause).toBe(cause);
    expect(error.retryAfterSeconds).toBe(3);
    expect(error.toJSON()).toEqual({ code: 'THROTTLED', message: 'slow down', status: 406 });
    const invalid = new HeraldError('CONTRACT_MISMATCH', 'bad', { issues: [{ field: 'a', rule: 'type', message: 'a must be a string' }] });
    expect(JSON.parse(JSON.stringify(invalid))).toMatchObject({ issues: [{ field: 'a' }] });
  });

  it('is recognized by isHeraldError, optionally by code', () => {
    const error = new HeraldError('STORE_CLOSED', 'closed');
    expect(isHeraldError(error)).toBe(true);
    expect(isHeraldError(error, 'STORE_CLOSED')).toBe(true);
    expect(isHeraldError(error, 'STORE_LOCKED')).toBe(false);
    expect(isHeraldError(new Error('plain'))).toBe(false);
  });

  it('prefixes adapter messages with where they came from', () => {
    const storeError = errorFactory('store-file');
    expect(storeError('STORE_LOCKED', 'another process holds the lock').message).toBe('[herald] [store-file] another process holds the lock');
    expect(optionError('store-file', 'directory is required')).toBeInstanceOf(TypeError);
    expect(optionError(undefined, 'x').message).toBe('[herald] x');
  });
});

describe('TransportError', () => {
  it('classifies failures with stable codes and keeps the retry hint', () => {
    expect(TransportError.retryable('busy', { retryAfterMs: 1500 })).toMatchObject({ failure: 'retryable', code: 'TRANSPORT_RETRYABLE', retryAfterMs: 1500, retryAfterSeconds: 2 });
    expect(TransportError.permanent('bad request')).toMatchObject({ failure: 'permanent', code: 'TRANSPORT_PERMANENT' });
    expect(TransportError.endpointGone('410')).toMatchObject({ failure: 'endpointGone', code: 'ENDPOINT_GONE', status: 410 });
  });

  it('takes a more precise code, keeping the failure that decides what the dispatcher does', () => {
    expect(TransportError.permanent('4200 bytes', { code: 'MESSAGE_TOO_LARGE' })).toMatchObject({ failure: 'permanent', code: 'MESSAGE_TOO_LARGE', status: 502 });
  });

  it('treats anything else a transport throws as retryable, keeping it as the cause', () => {
    const thrown = new Error('socket hang up');
    const error = toTransportError(thrown);
    expect(error.failure).toBe('retryable');
    expect(error.message).toBe('socket hang up');
    expect(error.cause).toBe(thrown);
    expect(toTransportError('text').message).toBe('text');
    const same = TransportError.permanent('x');
    expect(toTransportError(same)).toBe(same);
  });
});
